import type { IncomingMessage } from 'node:http';
import { isApiError, unauthorized } from '../../api/errors.js';
import { looksLikeJwt } from '../../api/serviceaccount/jwt.js';
import type { Authenticator, UserInfo } from '../config.js';
import { bearerToken } from '../auth/bearer-token.js';
import type { ServiceAccountTokens } from './tokens.js';

/**
 * Adds service account JWTs to an authenticator. Only bearer tokens shaped like a JWT take the (asynchronous)
 * JWT path, and only after the inner authenticator (client certificate, static tokens) found no user, as
 * upstream's union authenticator orders them; every other request stays synchronous.
 */
export function withServiceAccountTokens(inner: Authenticator, tokens: ServiceAccountTokens): Authenticator {
  return {
    authenticate(req: IncomingMessage) {
      const token = bearerToken(req.headers.authorization);
      if (token === undefined || !looksLikeJwt(token)) return inner.authenticate(req);
      const viaJwt = (): Promise<UserInfo> =>
        tokens.authenticate(token).then(
          (user) => {
            req.headers.authorization = undefined;
            return user;
          },
          () => {
            throw unauthorized();
          },
        );
      const orJwt = (err: unknown): Promise<UserInfo> => {
        if (isApiError(err) && err.code === 401) return viaJwt();
        throw err;
      };
      let result: ReturnType<Authenticator['authenticate']>;
      try {
        result = inner.authenticate(req);
      } catch (err) {
        return orJwt(err);
      }
      if (result instanceof Promise) return result.then((user) => user ?? viaJwt(), orJwt);
      return result ?? viaJwt();
    },
  };
}
