// Engines by name, imported lazily so a CLI run never loads what it does not use.
import type { Engine } from './types.ts';
import type { EngineOptions } from './options.ts';

export const ENGINE_NAMES = ['embedded', 'aim-served'] as const;
export type EngineName = (typeof ENGINE_NAMES)[number];

export interface EngineConfig {
  /** Base URL of a served Audio-Interaction model (engine "aim-served"). */
  url?: string;
  /** Embedded engine: open-vocabulary recogniser (its own default when absent) and perception workers. */
  embedded?: { asr?: 'one-pass' | 'two-pass'; grammar?: 'streamed' | 'batch' } & Partial<EngineOptions>;
}

export async function createEngine(name: EngineName | string = 'embedded', config: EngineConfig = {}): Promise<Engine> {
  switch (name) {
    case 'embedded': {
      const { EmbeddedEngine } = await import('./embedded.ts');
      return new EmbeddedEngine(config.embedded);
    }
    case 'aim-served': {
      const { AimServedEngine } = await import('./aim-served.ts');
      if (!config.url) throw new Error('engine "aim-served" needs a URL (--engine-url or SOUNDFLOW_AIM_URL)');
      return new AimServedEngine({ baseUrl: config.url });
    }
    default:
      throw new Error(`unknown engine "${name}" (known: ${ENGINE_NAMES.join(', ')})`);
  }
}
