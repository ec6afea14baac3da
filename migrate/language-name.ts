const LANGUAGE_NAMES: Record<string, string> = { python: "Python", nodejs: "Node.js", go: "Go", java: "Java", ruby: "Ruby", php: "PHP", dotnet: ".NET" };

/** "Node.js" for "nodejs": detect()'s ids as people write them. */
export function languageName(id: string | null): string {
  return id === null ? "language" : (LANGUAGE_NAMES[id] ?? id);
}
