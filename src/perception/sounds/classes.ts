// The sound-event classes the model knows. Order is part of the trained model (output index), so
// append new classes at the end and retrain; never reorder.

export const SOUND_CLASSES = [
  'smoke_alarm',
  'beeping_alarm',
  'kettle_whistle',
  'doorbell',
  'door_knock',
  'door',
  'phone_ring',
  'dog_bark',
  'cat_meow',
  'baby_cry',
  'cough',
  'sneeze',
  'laughter',
  'scream',
  'applause',
  'footsteps',
  'glass_break',
  'thud_fall',
  'water',
  'siren',
  'car_horn',
  'traffic',
  'thunder',
  'rain',
  'wind',
  'birds',
  'typing',
  'clock_tick',
  'speech',
  'music',
  'ambient',
] as const;

export type SoundClass = (typeof SOUND_CLASSES)[number];

export function isSoundClass(x: string): x is SoundClass {
  return (SOUND_CLASSES as readonly string[]).includes(x);
}

/** Classes made of short discrete events, which the trainer scatters (several per window) and the counter counts. */
export const IMPULSIVE_CLASSES: ReadonlySet<string> = new Set([
  'door_knock', 'footsteps', 'typing', 'dog_bark', 'cough', 'sneeze', 'glass_break', 'thud_fall', 'clock_tick', 'door', 'car_horn',
]);
