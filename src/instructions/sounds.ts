// Sounds an instruction can name ("count the knocks", "tell me if the baby cries"), keyed by
// the label the sound model emits (see /work/shared/sound-sources.tsv). One synonym table feeds the
// parser (keyword match) and the grammar (spoken forms), so they cannot drift apart.

export interface NameableSound {
  label: string;
  /** How acknowledgements name it: "Okay, counting dog barks." */
  plural: string;
  /** "I'll tell you when I hear a dog barking." */
  heard: string;
  /** Spoken forms the JSGF grammar accepts after "count", "tell me if", ... (lower case words). */
  forms: string[];
  /** Words or phrases that identify the class in free text; earlier classes win. */
  keywords: string[];
}

const s = (label: string, plural: string, heard: string, forms: string[], keywords: string[]): NameableSound => ({ label, plural, heard, forms, keywords });

// Order matters: specific phrases first ("smoke alarm" before "alarm", "doorbell" before "door").
export const NAMEABLE_SOUNDS: readonly NameableSound[] = Object.freeze([
  s('doorbell', 'doorbell rings', 'the doorbell', ['the doorbell rings', 'the doorbell', 'someone rings the doorbell', 'the door bell rings'], ['doorbell', 'door bell', 'ding dong', 'bell']),
  s('door_knock', 'knocks', 'a knock', ['someone knocks', 'someone knocks on the door', 'the knocks', 'knocks', 'knocking', 'a knock', 'the door knocks'], ['knock', 'knocks', 'knocking', 'knocked']),
  s('smoke_alarm', 'smoke alarms', 'the smoke alarm', ['the smoke alarm goes off', 'the smoke alarm', 'the fire alarm goes off', 'the fire alarm', 'the smoke detector goes off'], ['smoke alarm', 'smoke detector', 'fire alarm', 'smoke']),
  // Alarm clocks, microwaves and timers beep: the model has one class for all of them.
  s('beeping_alarm', 'alarms', 'an alarm', ['the alarm goes off', 'an alarm goes off', 'the alarm', 'something beeps', 'the beeping', 'the alarm clock rings', 'the alarm clock', 'the microwave beeps', 'the microwave is done', 'the microwave', 'the timer goes off'], ['alarm clock', 'microwave', 'alarm', 'alarms', 'beep', 'beeps', 'beeping']),
  s('kettle_whistle', 'kettle whistles', 'the kettle', ['the kettle whistles', 'the kettle boils', 'the kettle'], ['kettle', 'whistle', 'whistles', 'whistling']),
  s('baby_cry', 'baby cries', 'the baby crying', ['the baby cries', 'the baby is crying', 'the baby wakes up', 'the baby'], ['baby', 'babies', 'infant', 'cries', 'crying', 'cry']),
  s('dog_bark', 'dog barks', 'the dog barking', ['the dog barks', 'the dog is barking', 'the dog', 'a dog barks', 'dog barks', 'barks'], ['dog', 'dogs', 'puppy', 'bark', 'barks', 'barking', 'barked', 'woof']),
  s('cat_meow', 'cat meows', 'the cat', ['the cat meows', 'the cat'], ['cat', 'cats', 'kitten', 'meow', 'meows', 'meowing']),
  s('phone_ring', 'phone rings', 'the phone', ['the phone rings', 'the phone', 'my phone rings', 'the telephone rings'], ['phone', 'telephone', 'ringtone', 'rings', 'ringing']),
  s('glass_break', 'breaking glass', 'glass breaking', ['glass breaks', 'something breaks', 'the glass breaks'], ['glass', 'shatter', 'shatters', 'smash', 'breaks', 'breaking']),
  s('cough', 'coughs', 'someone coughing', ['someone coughs', 'i cough', 'the coughs', 'coughs', 'coughing'], ['cough', 'coughs', 'coughing', 'coughed']),
  s('sneeze', 'sneezes', 'someone sneezing', ['someone sneezes', 'i sneeze', 'sneezes'], ['sneeze', 'sneezes', 'sneezing']),
  s('scream', 'screams', 'someone screaming', ['someone screams', 'someone shouts', 'screams'], ['scream', 'screams', 'screaming', 'shout', 'shouts', 'yell', 'yells']),
  s('thud_fall', 'falls', 'something falling', ['someone falls', 'something falls', 'a fall'], ['fall', 'falls', 'fell', 'thud', 'falling']),
  s('car_horn', 'car horns', 'a car horn', ['a car honks', 'the car horn', 'a horn'], ['horn', 'horns', 'honk', 'honks', 'honking']),
  s('siren', 'sirens', 'a siren', ['a siren', 'the siren', 'an ambulance'], ['siren', 'sirens', 'ambulance', 'police']),
  s('laughter', 'laughs', 'someone laughing', ['someone laughs', 'the laughs', 'laughing'], ['laugh', 'laughs', 'laughing', 'laughter']),
  s('applause', 'applause', 'applause', ['people clap', 'the applause', 'clapping'], ['applause', 'clap', 'claps', 'clapping']),
  s('footsteps', 'footsteps', 'footsteps', ['someone walks in', 'the footsteps', 'footsteps'], ['footsteps', 'footstep', 'steps']),
  s('door', 'door sounds', 'the door', ['the door opens', 'the door closes', 'the door slams', 'the door'], ['door', 'doors']),
  s('typing', 'typing', 'typing', ['someone types', 'typing'], ['typing', 'keyboard']),
  s('water', 'running water', 'running water', ['the water runs', 'the tap is running', 'the water'], ['water', 'tap', 'faucet']),
  s('rain', 'rain', 'rain', ['it rains', 'it starts raining', 'the rain'], ['rain', 'raining', 'rains']),
  s('thunder', 'thunder', 'thunder', ['it thunders', 'the thunder'], ['thunder', 'thunders', 'storm']),
  s('wind', 'wind', 'wind', ['the wind'], ['wind', 'windy']),
  s('birds', 'birds', 'birds', ['the birds sing', 'the birds'], ['bird', 'birds', 'chirping', 'tweet']),
  s('traffic', 'traffic', 'traffic', ['the traffic', 'a car passes', 'the engine starts', 'the engine'], ['traffic', 'engine', 'motor', 'car', 'cars', 'truck']),
  s('music', 'music', 'music', ['the music', 'music plays', 'the song', 'someone sings'], ['music', 'song', 'songs', 'singing', 'piano', 'guitar']),
  s('speech', 'people talking', 'people talking', ['people talk', 'the crowd'], ['people talking', 'talking', 'crowd', 'voices']),
  s('clock_tick', 'clock ticks', 'the clock', ['the clock ticks', 'the ticking'], ['tick', 'ticks', 'ticking', 'clock']),
]);

export const SOUND_LABELS: readonly string[] = NAMEABLE_SOUNDS.map((c) => c.label);

export function nameableSound(label: string): NameableSound | undefined {
  return NAMEABLE_SOUNDS.find((c) => c.label === label);
}

/** The class a free-text phrase names ("the dog barks" → dog_bark), or undefined. */
export function soundLabelFor(phrase: string): string | undefined {
  const padded = ` ${phrase.toLowerCase().replace(/[^a-z' ]+/g, ' ').replace(/\s+/g, ' ').trim()} `;
  // Multi-word keywords first across all classes, so "alarm clock" is not taken by "alarm".
  for (const c of NAMEABLE_SOUNDS) for (const k of c.keywords) if (k.includes(' ') && padded.includes(` ${k} `)) return c.label;
  for (const c of NAMEABLE_SOUNDS) for (const k of c.keywords) if (!k.includes(' ') && padded.includes(` ${k} `)) return c.label;
  return undefined;
}
