// Shell text of a RUN or CMD line, once dockerfile-ast has handed it over: split into commands and words.

/** Words of one shell line, quotes removed; `&&`, `||`, `;` and `|` come back as words of their own. */
export function shellWords(text: string): string[] {
  const words: string[] = [];
  let cur = "";
  let has = false;
  let quote: "'" | '"' | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === quote) quote = null;
      else if (c === "\\" && quote === '"' && i + 1 < text.length) cur += text[++i];
      else cur += c;
      continue;
    }
    if (c === "'" || c === '"') {
      quote = c;
      has = true;
    } else if (c === "\\" && i + 1 < text.length) {
      cur += text[++i];
      has = true;
    } else if (/\s/.test(c)) {
      if (has) words.push(cur);
      cur = "";
      has = false;
    } else if ((c === "&" || c === "|") && text[i + 1] === c) {
      if (has) words.push(cur);
      words.push(c + c);
      cur = "";
      has = false;
      i++;
    } else if (c === ";" || c === "|") {
      if (has) words.push(cur);
      words.push(c);
      cur = "";
      has = false;
    } else {
      cur += c;
      has = true;
    }
  }
  if (has) words.push(cur);
  return words;
}

/** The simple commands of a shell line (split at `&&`, `||`, `;`, `|`), each as words, leading `VAR=x` assignments kept apart. */
export function shellCommands(text: string): { env: Record<string, string>; words: string[]; text: string }[] {
  const out: { env: Record<string, string>; words: string[]; text: string }[] = [];
  let current: string[] = [];
  const flush = () => {
    const env: Record<string, string> = {};
    let i = 0;
    while (i < current.length && /^[A-Za-z_]\w*=/.test(current[i]!)) {
      const w = current[i++]!;
      env[w.slice(0, w.indexOf("="))] = w.slice(w.indexOf("=") + 1);
    }
    const words = current.slice(i);
    if (words.length > 0 || Object.keys(env).length > 0) out.push({ env, words, text: words.join(" ") });
    current = [];
  };
  for (const w of shellWords(text)) {
    if (w === "&&" || w === "||" || w === ";" || w === "|") flush();
    else current.push(w);
  }
  flush();
  return out;
}

/** The value of a flag in `-x v`, `--long v` or `--long=v` form. */
export function flagValue(words: readonly string[], names: readonly string[]): string | null {
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    for (const n of names) {
      if (w === n) return words[i + 1] ?? null;
      if (w.startsWith(`${n}=`)) return w.slice(n.length + 1);
      // -ofoo: single-letter flags may carry their value attached.
      if (n.length === 2 && w.startsWith(n) && w.length > 2) return w.slice(2);
    }
  }
  return null;
}
