/**
 * URLs may carry secrets: `wss://user:password@host/…` or a token in the query. Wherever the CLI
 * prints a URL or stores one in a recording, those parts are replaced by `***`; the scheme, host,
 * port and path (what tells endpoints apart) stay.
 *
 * @module
 */

const URL_IN_TEXT = /\b(?:wss?|https?):\/\/[^\s"'<>`]+/gi;

/** `url` with its user name, password and query values replaced by `***` (other text unchanged). */
export function redactUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url; // `production`, `demo`, or not a URL at all
  }
  if (parsed.username === "" && parsed.password === "" && parsed.search === "") return url;
  if (parsed.username !== "") parsed.username = "***";
  if (parsed.password !== "") parsed.password = "***";
  if (parsed.search !== "") {
    const keys = [...new Set(parsed.searchParams.keys())];
    parsed.search = keys.map((key) => `${encodeURIComponent(key)}=***`).join("&");
  }
  return parsed.toString().replaceAll("%2A%2A%2A", "***");
}

/** `text` with every URL in it redacted (for error messages that quote an endpoint). */
export function redactUrls(text: string): string {
  URL_IN_TEXT.lastIndex = 0;
  return URL_IN_TEXT.test(text) ? text.replace(URL_IN_TEXT, redactUrl) : text;
}
