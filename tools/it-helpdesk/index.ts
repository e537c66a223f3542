/** The IT service desk's 10 tools (all named `it_*`) and its knowledge-base retrieval. */
import type { AnyToolDefinition } from '../../src/toolkit/index.js';
import { itResetPassword, itUnlockAccount, itVerifyEmployee } from './accounts.js';
import { itDeviceLookup, itSearchKnowledge, itServiceStatus } from './info.js';
import { itCreateTicket, itEscalateToTier2, itLookupTicket, itUpdateTicket } from './tickets.js';

export {
  reindexKnowledge, ensureKnowledgeIndexed, searchKnowledge, readKnowledgeDir, parseArticle, knowledgeDirFor, detectRetrievalMode,
} from './knowledge.js';
export type { KnowledgeArticle, ReindexReport, RetrievalMode, KnowledgeSearch, KnowledgeHit } from './knowledge.js';
export { OpenAIEmbedder, embedderFromEnv } from './embeddings.js';
export type { Embedder } from './embeddings.js';

export const itHelpdeskTools: readonly AnyToolDefinition[] = [
  itSearchKnowledge,
  itVerifyEmployee,
  itResetPassword,
  itUnlockAccount,
  itCreateTicket,
  itUpdateTicket,
  itLookupTicket,
  itServiceStatus,
  itDeviceLookup,
  itEscalateToTier2,
] as unknown as readonly AnyToolDefinition[];
