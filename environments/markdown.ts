/*
 * User text in markdown that GitHub renders (PR comments): inside a code span nothing is markup, so no image,
 * link, heading or @-mention can be smuggled in through a name, a URL or a problem message.
 */

/** `text` as one inline code span, on one line, safe in a table cell too. */
export function mdCode(text: string): string {
  const flat = text.replace(/\r\n|[\r\n]/g, " ").replaceAll("|", "\\|");
  // A fence one backtick longer than the longest run inside, padded when the text starts or ends with one.
  const longest = Math.max(0, ...[...flat.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = "`".repeat(longest + 1);
  const pad = flat.startsWith("`") || flat.endsWith("`") || flat === "" ? " " : "";
  return `${fence}${pad}${flat}${pad}${fence}`;
}

const SAFE_URL = /^https:\/\/[a-z0-9.-]+(?::\d+)?(?:\/[A-Za-z0-9._~\/-]*)?$/;

/** A link when `url` is a plain https URL (no markup can hide in one), else the text as code. */
export function mdLink(url: string): string {
  return SAFE_URL.test(url) ? `<${url}>` : mdCode(url);
}
