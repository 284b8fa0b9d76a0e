/**
 * Touches to the generated OpenAPI document that route schemas cannot express through @fastify/swagger
 * (which marks every documented body required and every response header optional).
 */
type Operation = { requestBody?: { required?: boolean }; responses?: Record<string, { headers?: Record<string, { required?: boolean }> }> };
type Document = { paths?: Record<string, Record<string, Operation>> };

/** Bodies documented but not required: PesaWay's callback is kept (and classified `malformed`) even empty. */
const OPTIONAL_BODIES = [['/callbacks/pesaway/{reference}/{token}', 'post']] as const;

/** Response headers every such response carries. */
const REQUIRED_HEADERS = [
  ['/v1/batches', 'post', '201', 'location'],
  ['/v1/batches/{id}/report.csv', 'get', '200', 'content-disposition'],
  ['/v1/batches/{id}/errors.csv', 'get', '200', 'content-disposition'],
] as const;

export function finishDocument<T>(doc: T): T {
  const paths = (doc as Document).paths ?? {};
  for (const [path, method] of OPTIONAL_BODIES) {
    const body = paths[path]?.[method]?.requestBody;
    if (body) body.required = false;
  }
  for (const [path, method, status, header] of REQUIRED_HEADERS) {
    const h = paths[path]?.[method]?.responses?.[status]?.headers?.[header];
    if (h) h.required = true;
  }
  return doc;
}
