/**
 * Writes a response body from an async sequence of chunks, honouring back-pressure (waits for `drain`) and stopping
 * when the client goes away. A failure after the headers are sent can no longer become a problem document: the
 * connection is cut, so the client sees a truncated body rather than a complete-looking one.
 */
import { once } from 'node:events';
import type { Response } from 'express';

/** Streams `chunks` into `res` (status and headers already set), then ends it. */
export async function streamBody(res: Response, chunks: AsyncIterable<string>): Promise<void> {
  let gone = false;
  const onClose = () => {
    gone = true;
  };
  res.on('close', onClose);
  try {
    for await (const chunk of chunks) {
      if (gone) return;
      if (!res.write(chunk)) await Promise.race([once(res, 'drain'), once(res, 'close')]);
    }
    if (!gone) res.end();
  } catch (error) {
    if (!res.headersSent) throw error;
    res.destroy(error instanceof Error ? error : new Error(String(error)));
  } finally {
    res.off('close', onClose);
  }
}
