import { notFound } from 'next/navigation';
import { dateTime } from '../../../components/forms';
import { getClinic } from '../../../lib/clinic';

export const dynamic = 'force-dynamic';

/** The magic-auth codes the emulator issued. Emulator mode only: real WorkOS emails them. */
export default function DevInbox() {
  const { inbox } = getClinic();
  if (!inbox) notFound();
  const messages = inbox.messages();
  return (
    <>
      <h1>Dev inbox</h1>
      <p>
        The magic-auth codes the WorkOS emulator issued, newest first. This page exists only when
        the clinic runs on the emulator; real WorkOS emails the code.
      </p>
      {messages.length === 0 ? (
        <p>No codes yet.</p>
      ) : (
        <table>
          <caption className="hint">Codes expire after 10 minutes</caption>
          <thead>
            <tr>
              <th scope="col">To</th>
              <th scope="col">Code</th>
              <th scope="col">Sent</th>
            </tr>
          </thead>
          <tbody>
            {messages.map((m) => (
              <tr key={`${m.email}-${m.code}`}>
                <td>{m.email}</td>
                <td>
                  <code data-code-for={m.email}>{m.code}</code>
                </td>
                <td>{dateTime(m.sentAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
