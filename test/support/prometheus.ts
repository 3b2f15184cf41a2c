/** Reads the Prometheus text format into `name{label="v",…}` → value, for asserting scraped metrics. */

/** Samples by series (`ucc_previews_total{outcome="sent"}`; labels as written). */
export function parsePrometheus(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    samples.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return samples;
}
