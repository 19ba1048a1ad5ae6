/** GET /openapi/v2: the Swagger 2.0 document as JSON or gnostic protobuf, negotiated as upstream. */
import type { IncomingMessage } from 'node:http';
import { notAcceptable } from '../../api/errors.js';
import { negotiateOpenApiV2, OPENAPI_V2_PROTOBUF } from '../openapi/v2/negotiate.js';
import type { OpenApiV2 } from '../openapi/v2/document.js';
import type { Responder } from './respond.js';

export function serveOpenApiV2(doc: OpenApiV2, req: IncomingMessage, out: Responder): void {
  const encoding = negotiateOpenApiV2(req.headers.accept);
  if (encoding === undefined) {
    // Upstream answers 406 with an empty body; we send the Status every other error of ours carries.
    throw notAcceptable(
      'only the following media types are accepted: application/json, application/com.github.proto-openapi.spec.v2.v1.0+protobuf',
    );
  }
  const headers = { Vary: 'Accept', ETag: doc.etag };
  if (req.headers['if-none-match'] === doc.etag) {
    out.res.writeHead(304, { 'Audit-Id': out.auditId, ...headers });
    out.res.end();
    return;
  }
  if (encoding === 'json') out.send(200, doc.json, 'application/json', headers);
  else out.send(200, doc.protobuf, OPENAPI_V2_PROTOBUF, headers);
}
