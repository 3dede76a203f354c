/** Listening as a promise: resolved once the server listens, rejected with its error (a port in use). */
import type { Server as HttpServer } from 'node:http';

export function listen(http: HttpServer, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(port, host, () => {
      http.off('error', reject);
      resolve();
    });
  });
}
