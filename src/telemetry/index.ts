export {
  attachTelemetry,
  createTelemetry,
  type Recorder,
  TELEMETRY_OFF,
  type Telemetry,
  telemetryOf,
  traced,
} from './create-telemetry.js';
export { ATTR, type CounterName, type HistogramName, METRIC, SPAN } from './names.js';
export {
  type ParsedTelemetryOptions,
  type TelemetryOptions,
  telemetryOptionsSchema,
} from './options.js';
export { recordFailure, SPAN_KIND } from './span-runner.js';
export { traceMethods } from './trace-methods.js';
