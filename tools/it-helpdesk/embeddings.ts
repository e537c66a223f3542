/**
 * Embeddings for hybrid knowledge search. Optional: used only when OPENAI_API_KEY is set and the
 * database has pgvector (see knowledge.ts). The OpenAI client honours OPENAI_BASE_URL, so it can
 * be pointed at any compatible endpoint.
 */
import OpenAI from 'openai';

export interface Embedder {
  /** Stored with each vector, so switching models re-embeds everything. */
  readonly model: string;
  readonly dimensions: number;
  embed(texts: readonly string[], signal?: AbortSignal): Promise<number[][]>;
}

export const DEFAULT_EMBEDDING_MODEL = 'text-embedding-3-small';
export const DEFAULT_EMBEDDING_DIMENSIONS = 1536;

export class OpenAIEmbedder implements Embedder {
  readonly model: string;
  readonly dimensions: number;
  private readonly client: OpenAI;

  constructor(options: { apiKey: string; baseURL?: string; model?: string; dimensions?: number; timeoutMs?: number }) {
    this.model = options.model ?? DEFAULT_EMBEDDING_MODEL;
    this.dimensions = options.dimensions ?? DEFAULT_EMBEDDING_DIMENSIONS;
    this.client = new OpenAI({
      apiKey: options.apiKey, maxRetries: 1, timeout: options.timeoutMs ?? 5000,
      ...(options.baseURL ? { baseURL: options.baseURL } : {}),
    });
  }

  async embed(texts: readonly string[], signal?: AbortSignal): Promise<number[][]> {
    if (texts.length === 0) return [];
    const res = await this.client.embeddings.create(
      { model: this.model, input: [...texts], dimensions: this.dimensions },
      signal ? { signal } : undefined,
    );
    const out: number[][] = new Array(texts.length);
    for (const d of res.data) out[d.index] = d.embedding;
    if (out.some((v) => !Array.isArray(v) || v.length !== this.dimensions)) {
      throw new Error(`embeddings response did not contain ${texts.length} vectors of ${this.dimensions} dimensions`);
    }
    return out;
  }
}

/** An embedder when OPENAI_API_KEY is set; null otherwise (full-text search only). */
export function embedderFromEnv(env: NodeJS.ProcessEnv = process.env): Embedder | null {
  const apiKey = env.OPENAI_API_KEY?.trim();
  if (!apiKey) return null;
  return new OpenAIEmbedder({ apiKey, ...(env.OPENAI_BASE_URL ? { baseURL: env.OPENAI_BASE_URL } : {}) });
}
