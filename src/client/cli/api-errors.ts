import { EXIT, type ExitCode } from './context.js';
import { CliError } from './errors.js';

/** RFC 9457 problem details as the API sends them (`application/problem+json`), extra members included. */
export interface ProblemBody {
  code: string;
  title: string;
  detail: string;
  status: number;
  [member: string]: unknown;
}

/** 401/403: not allowed; 400/404/413: nothing to act on as asked; 409/422: the answer is no; else a failure. */
export function exitCodeForStatus(status: number): ExitCode {
  if (status === 401 || status === 403) return EXIT.denied;
  if (status === 409 || status === 422) return EXIT.rejected;
  if (status === 400 || status === 404 || status === 413) return EXIT.usage;
  return EXIT.failure;
}

function hintFor(problem: ProblemBody): string | undefined {
  switch (problem.status) {
    case 401:
      return 'Check the key in DISBURSE_API_KEY (or --api-key); the key itself is never shown.';
    case 403:
      return problem.code === 'self_approval'
        ? 'Ask another user with the approver role to approve it with their own key.'
        : 'Use the API key of a user who holds that role (DISBURSE_API_KEY or --api-key).';
    case 404:
      return problem.detail.startsWith('No route')
        ? 'Is --api-url (DISBURSE_API_URL) the disbursement API, and is it up to date?'
        : '`disburse list` shows the batches there are.';
    case 409:
      return problem.code === 'wrong_state' ? '`disburse status <batch>` shows what the batch is doing.' : undefined;
    case 413:
      return 'Split the payroll into smaller files, or ask the operators to raise the upload limit.';
    default:
      return problem.status >= 500 ? 'The API failed on its side; retry, and if it keeps failing tell the operators (its log has the details).' : undefined;
  }
}

/** The API answered with an error: status, stable code and the detail that says what was wrong. */
export class ApiError extends CliError {
  readonly status: number;
  readonly detail: string;

  constructor(readonly problem: ProblemBody) {
    // The API's 401 detail speaks HTTP (`Authorization: Bearer`); at the CLI the key is all there is to fix.
    const detail = problem.status === 401 ? 'the API does not know this API key.' : problem.detail;
    super(exitCodeForStatus(problem.status), problem.code, `${problem.title} (HTTP ${problem.status}): ${detail}`, hintFor(problem));
    this.status = problem.status;
    this.detail = problem.detail;
  }

  /** From a non-2xx answer; bodies that are not problem+json (a proxy's HTML page) still make a clear error. */
  static from(response: Response, text: string): ApiError {
    let parsed: Partial<ProblemBody> = {};
    if (/json/i.test(response.headers.get('content-type') ?? '')) {
      try {
        parsed = JSON.parse(text) as Partial<ProblemBody>;
      } catch {
        parsed = {};
      }
    }
    const status = response.status;
    return new ApiError({
      ...parsed,
      status,
      code: typeof parsed.code === 'string' ? parsed.code : `http_${status}`,
      title: typeof parsed.title === 'string' ? parsed.title : response.statusText || 'Error',
      detail: typeof parsed.detail === 'string' ? parsed.detail : `the API answered HTTP ${status} without problem details`,
    });
  }
}
