// Message search (GET /api/search) as the user types: in every chat, or in one. Answers to older queries are dropped,
// "more" pages on with the cursor, failures go to the notices.
import type { SearchResponse } from '@chat/kit/contract';
import { report } from './notices.svelte.ts';
import { api } from './session.svelte.ts';

export type SearchHit = SearchResponse['results'][number];

const DEBOUNCE_MS = 250;
const PAGE = 20;

export class MessageSearch {
  query = $state('');
  hits = $state<SearchHit[]>([]);
  nextCursor = $state<string | null>(null);
  /** A request is in flight. */
  busy = $state(false);
  /** The hits are the answer to the current query (so "nothing found" may be said). */
  answered = $state(false);
  /** Only this chat, when given. */
  readonly chatId: string | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #asked = 0;

  constructor(chatId?: string) {
    this.chatId = chatId;
  }

  /** The query changed: search a moment after the typing stops. */
  typed(query: string): void {
    this.query = query;
    clearTimeout(this.#timer);
    this.answered = false;
    if (!query.trim()) {
      this.#asked += 1;
      Object.assign(this, { hits: [], nextCursor: null, busy: false });
      return;
    }
    this.#timer = setTimeout(() => void this.#fetch(false), DEBOUNCE_MS);
  }

  /** The next page of hits for the same query. */
  more(): Promise<void> {
    return this.nextCursor ? this.#fetch(true) : Promise.resolve();
  }

  clear(): void {
    this.typed('');
  }

  async #fetch(more: boolean): Promise<void> {
    const q = this.query.trim().slice(0, 200);
    const asked = ++this.#asked;
    const params = new URLSearchParams({ q, limit: String(PAGE) });
    if (this.chatId) params.set('chatId', this.chatId);
    if (more && this.nextCursor) params.set('cursor', this.nextCursor);
    this.busy = true;
    try {
      const answer = await api<SearchResponse>(`/api/search?${params}`);
      if (asked !== this.#asked) return;
      this.hits = more ? [...this.hits, ...answer.results] : answer.results;
      this.nextCursor = answer.nextCursor;
      this.answered = true;
    } catch (err) {
      if (asked === this.#asked) report('failedSearchMessages', err);
    } finally {
      if (asked === this.#asked) this.busy = false;
    }
  }
}

/** The search over every chat, in the chat list (Ctrl/Cmd+K). */
export const searchAll = new MessageSearch();
