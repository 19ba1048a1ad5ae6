/** GET /openapi/v2: the Swagger 2.0 document as JSON or gnostic protobuf, negotiated as upstream. */
import type { IncomingMessage } from 'node:http';
import { negotiateOpenApiV2, OPENAPI_V2_PROTOBUF } from '../openapi/v2/negotiate.js';
import type { OpenApiV2 } from '../openapi/v2/document.js';
import type { Responder } from './respond.js';

export function serveOpenApiV2(doc: OpenApiV2, req: IncomingMessage, out: Responder): void {
  const encoding = negotiateOpenApiV2(req.headers.accept);
  if (encoding === undefined) {
    out.res.writeHead(406, { Vary: 'Accept', 'Content-Length': '0' });
    out.res.end();
    return;
  }
  const headers = { Vary: 'Accept', ETag: doc.etag };
  if (req.headers['if-none-match'] === doc.etag) {
    out.res.writeHead(304, headers);
    out.res.end();
    return;
  }
  if (encoding === 'json') out.send(200, doc.json, 'application/json', headers);
  else out.send(200, doc.protobuf, OPENAPI_V2_PROTOBUF, headers);
}
