import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import { ApiStyle } from '../common/api-style';
import { Capability } from '../common/capability';
import type { Actor } from '../modules/auth/actor';
import { AIModel } from '../modules/model/ai-model.entity';
import { ActivationSlot } from '../modules/activation/activation-slot.entity';
import { Provider } from '../modules/provider/provider.entity';
import type { AppServices } from '../app';

const { CHAT, CODE, CONTENT, IMAGE, AUDIO, EMBEDDING } = Capability;

export interface DemoModel {
  name: string;
  modelId: string;
  displayName: string;
  capabilities: Capability[];
}

export interface DemoProvider {
  slug: string;
  name: string;
  baseUrl: string;
  apiStyle: ApiStyle;
  models: DemoModel[];
  /** Which model holds which slot once seeded (by model name). */
  active: Partial<Record<Capability, string>>;
}

/**
 * Three providers as a team would register them: an aggregator (OpenRouter, OpenAI-style API with
 * vendor-prefixed model ids) and two direct vendors. No API keys: those are secrets to add by hand.
 */
export const DEMO_PROVIDERS: readonly DemoProvider[] = [
  {
    slug: 'openrouter',
    name: 'OpenRouter',
    baseUrl: 'https://openrouter.ai/api/v1',
    apiStyle: ApiStyle.OPENAI,
    models: [
      { name: 'claude-sonnet-4', modelId: 'anthropic/claude-sonnet-4', displayName: 'Claude Sonnet 4', capabilities: [CHAT, CODE, CONTENT] },
      { name: 'gpt-4o', modelId: 'openai/gpt-4o', displayName: 'GPT-4o', capabilities: [CHAT, CODE, CONTENT] },
      { name: 'gemini-2.5-flash', modelId: 'google/gemini-2.5-flash', displayName: 'Gemini 2.5 Flash', capabilities: [CHAT, CONTENT] },
      {
        name: 'llama-3.3-70b-instruct',
        modelId: 'meta-llama/llama-3.3-70b-instruct',
        displayName: 'Llama 3.3 70B Instruct',
        capabilities: [CHAT, CONTENT],
      },
      { name: 'codestral-2501', modelId: 'mistralai/codestral-2501', displayName: 'Codestral', capabilities: [CODE] },
    ],
    active: { CHAT: 'claude-sonnet-4', CODE: 'codestral-2501', CONTENT: 'gemini-2.5-flash' },
  },
  {
    slug: 'openai',
    name: 'OpenAI',
    baseUrl: 'https://api.openai.com/v1',
    apiStyle: ApiStyle.OPENAI,
    models: [
      { name: 'gpt-4o', modelId: 'gpt-4o', displayName: 'GPT-4o', capabilities: [CHAT, CODE, CONTENT] },
      { name: 'gpt-4o-mini', modelId: 'gpt-4o-mini', displayName: 'GPT-4o mini', capabilities: [CHAT, CONTENT] },
      { name: 'o3-mini', modelId: 'o3-mini', displayName: 'o3-mini', capabilities: [CHAT, CODE] },
      { name: 'gpt-image-1', modelId: 'gpt-image-1', displayName: 'GPT Image 1', capabilities: [IMAGE] },
      { name: 'dall-e-3', modelId: 'dall-e-3', displayName: 'DALL·E 3', capabilities: [IMAGE] },
      { name: 'tts-1', modelId: 'tts-1', displayName: 'TTS 1', capabilities: [AUDIO] },
      { name: 'text-embedding-3-small', modelId: 'text-embedding-3-small', displayName: 'Embedding 3 small', capabilities: [EMBEDDING] },
      { name: 'text-embedding-3-large', modelId: 'text-embedding-3-large', displayName: 'Embedding 3 large', capabilities: [EMBEDDING] },
    ],
    active: {
      CHAT: 'gpt-4o',
      CODE: 'o3-mini',
      CONTENT: 'gpt-4o-mini',
      IMAGE: 'gpt-image-1',
      AUDIO: 'tts-1',
      EMBEDDING: 'text-embedding-3-small',
    },
  },
  {
    slug: 'anthropic',
    name: 'Anthropic',
    baseUrl: 'https://api.anthropic.com/v1',
    apiStyle: ApiStyle.ANTHROPIC,
    models: [
      { name: 'claude-sonnet-4', modelId: 'claude-sonnet-4-20250514', displayName: 'Claude Sonnet 4', capabilities: [CHAT, CODE, CONTENT] },
      { name: 'claude-opus-4', modelId: 'claude-opus-4-20250514', displayName: 'Claude Opus 4', capabilities: [CHAT, CODE, CONTENT] },
      { name: 'claude-3-5-haiku', modelId: 'claude-3-5-haiku-20241022', displayName: 'Claude 3.5 Haiku', capabilities: [CHAT, CONTENT] },
    ],
    active: { CHAT: 'claude-sonnet-4', CODE: 'claude-opus-4', CONTENT: 'claude-3-5-haiku' },
  },
];

export interface SeedReport {
  providersCreated: number;
  modelsCreated: number;
  slotsActivated: number;
}

/**
 * Loads DEMO_PROVIDERS through the services (as `actor`, an ADMIN), so the slots get history rows
 * and events like any change made over the API. Idempotent: a provider or model that exists (by
 * slug, by name) is left as it is, and a slot that is already held is not switched.
 */
export async function seedDemoData(
  services: Pick<AppServices, 'providers' | 'modelLifecycle' | 'activation'>,
  rootEm: EntityManager,
  actor: Actor,
  log?: Logger,
  data: readonly DemoProvider[] = DEMO_PROVIDERS,
): Promise<SeedReport> {
  const report: SeedReport = { providersCreated: 0, modelsCreated: 0, slotsActivated: 0 };
  for (const demo of data) {
    let provider = await rootEm.fork().findOne(Provider, { slug: demo.slug });
    if (!provider) {
      provider = await services.providers.create(actor, { slug: demo.slug, name: demo.name, baseUrl: demo.baseUrl, apiStyle: demo.apiStyle });
      report.providersCreated++;
    }
    const ids = new Map<string, string>();
    for (const m of demo.models) {
      let model = await rootEm.fork().findOne(AIModel, { providerId: provider.id, name: m.name });
      if (!model) {
        model = await services.modelLifecycle.create(actor, { provider: demo.slug, ...m, active: false });
        report.modelsCreated++;
      }
      ids.set(m.name, model.id);
    }
    const slots = await rootEm.fork().find(ActivationSlot, { provider: provider.id });
    for (const [capability, name] of Object.entries(demo.active) as [Capability, string][]) {
      const slot = slots.find((s) => s.capability === capability);
      const aiModelId = ids.get(name);
      // Held, or changed by someone since (even if emptied on purpose): not the seeder's to decide.
      if (!aiModelId || (slot && (slot.aiModelId || slot.version > 0))) continue;
      const { changes } = await services.activation.activate(actor, { modelId: aiModelId, capabilities: [capability] });
      report.slotsActivated += changes.length;
    }
  }
  log?.info(report, 'demo data loaded');
  return report;
}
