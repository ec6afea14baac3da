/*
 * User text (service names, input values, messages quoting them) in markdown, so that nothing in it can become
 * an image, a link, an @-mention, a table cell break or an HTML tag in a pull request comment.
 */

/** Inline code: nothing inside is interpreted; a `|` would still end a table cell, so it is escaped. */
export function mdCode(text: string): string {
  const flat = text.replace(/\r\n|[\r\n]/g, " ");
  // A fence one backtick longer than the longest run inside, padded when the text starts or ends with one (or is
  // empty: two backticks alone would be an empty fence, not a span).
  const longest = Math.max(0, ...(flat.match(/`+/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(longest + 1);
  const pad = flat.startsWith("`") || flat.endsWith("`") || flat === "" ? " " : "";
  return `${fence}${pad}${flat.replace(/\|/g, "\\|")}${pad}${fence}`;
}

const SAFE_URL = /^https:\/\/[a-z0-9.-]+(?::\d+)?(?:\/[A-Za-z0-9._~\/-]*)?$/;

/** A link when `url` is a plain https URL (no markup can hide in one), else the text as code. */
export function mdLink(url: string): string {
  return SAFE_URL.test(url) ? `<${url}>` : mdCode(url);
}

/** Prose: markdown punctuation escaped, and a zero-width space after each @ so no one is mentioned. */
export function mdText(text: string): string {
  return text
    .replace(/\r?\n/g, " ")
    .replace(/[\\`*_[\]<>!|~]/g, (c) => `\\${c}`)
    .replace(/@/g, "@\u200b");
}

/** Inside HTML (a <summary>): entities for the HTML, and the same guard against mentions. */
export function htmlText(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/@/g, "@\u200b");
}
