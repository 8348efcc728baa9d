/** One search result: where, what it is called, and the provider's snippet. */
export interface SearchHit {
  url: string;
  title: string;
  snippet: string;
}

export interface SearchOptions {
  limit?: number;
  signal?: AbortSignal;
}

/** A web or local search backend. Failures throw AgentError AGENT_SEARCH_FAILED. */
export interface SearchProvider {
  readonly name: string;
  search(query: string, opts?: SearchOptions): Promise<SearchHit[]>;
}

/** A readable page: title and plain text. */
export interface Page {
  url: string;
  title: string;
  text: string;
}

/** Reads a page a search returned (the web, or the local corpus for local results). */
export interface PageReader {
  read(url: string, signal?: AbortSignal): Promise<Page>;
}
