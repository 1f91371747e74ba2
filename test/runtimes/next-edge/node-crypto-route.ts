// A route that imports node:crypto, which Next's edge runtime does not provide: the sandbox must
// refuse it as Next does, or the edge test could pass with orgkit importing it too.
import { createHash } from 'node:crypto';

export const runtime = 'edge';
export const GET = () => new Response(createHash('sha256').update('edge').digest('hex'));
