// Which recorded files of which Debian packages go into which class. Rules match the path inside the
// package (case-insensitive, anchored at the end); `max` caps how many files one rule takes (picked by a
// stable hash, so a rebuild selects the same files). Found by listing the packages' contents; see
// docs/notes/sounds.md for what each package holds and why some plausible files were left out.
import type { SoundClass } from '../../perception/sounds/classes.ts';

export interface SourceRule {
  re: RegExp;
  cls: SoundClass;
  max?: number;
}

export interface PackageSource {
  pkg: string;
  rules: SourceRule[];
  /** Licence of the sound files when the copyright file's `Files: *` stanza does not cover them. */
  licenceHint?: string;
}

const r = (re: RegExp, cls: SoundClass, max?: number): SourceRule => ({ re, cls, max });

export const PACKAGE_SOURCES: PackageSource[] = [
  {
    pkg: 'sound-theme-freedesktop',
    rules: [r(/alarm-clock-elapsed\.oga$/, 'beeping_alarm'), r(/phone-(incoming-call|outgoing-calling)\.oga$/, 'phone_ring')],
  },
  { pkg: 'osmo', rules: [r(/osmo\/alarm\.wav$/, 'beeping_alarm')] },
  {
    pkg: 'orage-data',
    rules: [r(/Knock\.wav$/, 'door_knock'), r(/Phone\.wav$/, 'phone_ring'), r(/KDE_Beep_Digital_\d\.ogg$/, 'beeping_alarm')],
  },
  { pkg: 'qgo', rules: [r(/doorbell\.wav$/, 'doorbell')] },
  {
    pkg: 'lugaru-data',
    licenceHint: 'CC-BY-SA-3.0',
    rules: [
      r(/Sounds\/Bark\d?\.ogg$/, 'dog_bark'),
      r(/Sounds\/BarkGrowl\.ogg$/, 'dog_bark'),
      r(/Sounds\/(Thud|HeavyImpact|Land1|Land2)\.ogg$/, 'thud_fall'),
      r(/Sounds\/FootStep\w+\.ogg$/, 'footsteps'),
      r(/Sounds\/Wind\.ogg$/, 'wind'),
      r(/Sounds\/DesertAmbient\.ogg$/, 'ambient'),
      r(/Sounds\/Music\w*\.ogg$/, 'music'),
    ],
  },
  {
    pkg: 'scratch',
    rules: [
      r(/Human\/BabyCry\.mp3$/, 'baby_cry'),
      r(/Human\/Cough-\w+\.wav$/, 'cough'),
      r(/Human\/Sneeze-\w+\.wav$/, 'sneeze'),
      r(/Human\/Laugh-\w+\.(wav|mp3)$/, 'laughter'),
      r(/Human\/Scream-\w+\.(wav|mp3)$/, 'scream'),
      r(/Human\/Footsteps-\d\.(wav|mp3)$/, 'footsteps'),
      r(/Animal\/Dog\d\.wav$/, 'dog_bark'),
      r(/Animal\/(Meow|Kitten)\.wav$/, 'cat_meow'),
      r(/Animal\/Cat\.mp3$/, 'cat_meow'),
      r(/Animal\/Bird\.wav$/, 'birds'),
      r(/Animal\/Crickets?\.wav$/, 'ambient'),
      r(/Effects\/Door(Close|Creak)\.(wav|mp3)$/, 'door'),
      r(/Effects\/(WaterRunning|WaterDrop)\.mp3$/, 'water'),
      r(/Effects\/(CarPassing|MotorcyclePassing)\.wav$/, 'traffic'),
      r(/Effects\/Typing\.mp3$/, 'typing'),
      r(/Music Loops\/(Drum\w*|Eggs|GuitarChords\d|HipHop|Medieval\d|Techno\d?|Triumph|[Xx]ylo\d)\.mp3$/, 'music'),
    ],
  },
  {
    pkg: 'scorched3d-data',
    rules: [
      r(/misc\/dog\d?\.wav$/, 'dog_bark'),
      r(/misc\/scream(\d|ing)\.wav$/, 'scream'),
      r(/misc\/carhorn\d\.wav$/, 'car_horn'),
      r(/misc\/(policecar|firetruck)\.wav$/, 'siren'),
      r(/misc\/thunder\d?\.wav$/, 'thunder'),
      r(/misc\/rain\.wav$/, 'rain'),
      r(/misc\/(birds\d|birdchirp\d)\.wav$/, 'birds'),
      r(/misc\/citysounds\.wav$/, 'traffic'),
      r(/misc\/(oceanwaves|splash)\.wav$/, 'water'),
      r(/misc\/thud\.wav$/, 'thud_fall'),
      r(/misc\/cheeringloop\.wav$/, 'applause'),
    ],
  },
  { pkg: 'brainparty-data', rules: [r(/glass_break\.wav$/, 'glass_break'), r(/meow\.wav$/, 'cat_meow')] },
  {
    pkg: 'btanks-data',
    rules: [
      r(/sounds\/laugh0\d\.ogg$/, 'laughter'),
      r(/sounds\/man-steps\.ogg$/, 'footsteps'),
      r(/ambient\/city\.ogg$/, 'traffic'),
      r(/sounds\/engine-(car|vehicle)\.ogg$/, 'traffic'),
      r(/sounds\/klaxon\.ogg$/, 'car_horn'),
      r(/sounds\/kamikaze-scream\.ogg$/, 'scream'),
      r(/ambient\/(country|swamp)\.ogg$/, 'ambient'),
    ],
  },
  {
    pkg: 'minetest-data',
    licenceHint: 'CC-BY-SA-3.0',
    rules: [
      r(/default_break_glass\.\d\.ogg$/, 'glass_break'),
      r(/default_\w+_footstep(\.\d)?\.ogg$/, 'footsteps', 24),
      r(/(doors_\w+|xpanes_steel_bar_door_\w+)\.ogg$/, 'door'),
      r(/env_sounds_water\.\d\.ogg$/, 'water'),
      // Wood and hard-block hits: the closest thing to knuckles on a door that Debian ships.
      r(/default_(dig_choppy\.\d|place_node_hard\.\d)\.ogg$/, 'door_knock'),
    ],
  },
  {
    pkg: 'minetest-mod-homedecor',
    rules: [
      r(/homedecor_doorbell\.ogg$/, 'doorbell'),
      r(/homedecor_(door_close|door_open|gate_open_close)\.ogg$/, 'door'),
      r(/homedecor_(faucet|shower|toilet_flush)\.ogg$/, 'water'),
    ],
  },
  {
    pkg: 'qabcs-data',
    rules: [
      r(/all\/noises\/(dog|dogmatix)\.ogg$/, 'dog_bark'),
      r(/all\/noises\/cat\.ogg$/, 'cat_meow'),
      r(/all\/noises\/(clock|watch)\.ogg$/, 'clock_tick'),
      r(/all\/noises\/keyboard\.ogg$/, 'typing'),
      r(/all\/noises\/whistle\.ogg$/, 'kettle_whistle'),
      r(/all\/noises\/(bird|sparrow|crow|quail)\.ogg$/, 'birds'),
      r(/all\/noises\/(tractor|excavator)\.ogg$/, 'traffic'),
      r(/en\/sounds\/words\/\w+\.ogg$/, 'speech', 30),
    ],
  },
  { pkg: 'bucklespring-data', rules: [r(/buckle\/wav\/\w+-[01]\.wav$/, 'typing', 40)] },
  { pkg: 'gnome-shell-pomodoro-data', rules: [r(/sounds\/birds\.ogg$/, 'birds'), r(/sounds\/clock\.ogg$/, 'clock_tick')] },
  {
    pkg: 'circuslinux-data',
    rules: [r(/sounds\/(applause|cheering)\.wav$/, 'applause'), r(/sounds\/keypress\.wav$/, 'typing')],
  },
  { pkg: 'lmms-common', rules: [r(/samples\/misc\/applause01\.ogg$/, 'applause'), r(/samples\/beats\/[\w -]+\.ogg$/, 'music', 8)] },
  { pkg: 'dustracing2d-data', rules: [r(/sounds\/carEngine\.ogg$/, 'traffic'), r(/sounds\/cheering\.ogg$/, 'applause')] },
  { pkg: 'tuxpaint-data', rules: [r(/sounds\/giggle\.wav$/, 'laughter'), r(/sounds\/keyclick\.wav$/, 'typing')] },
  { pkg: 'asterisk-core-sounds-en-wav', rules: [r(/en_US_f_Allison\/[\w-]+\.wav$/, 'speech', 40)] },
  { pkg: 'singularity-music', rules: [r(/music\/[^/]+\.ogg$/, 'music', 8)] },
  {
    pkg: 'flare-game',
    rules: [
      r(/environment\/rain\.ogg$/, 'rain'),
      r(/environment\/(wind_loop|cave_wind_loop)\.ogg$/, 'wind'),
      r(/environment\/bird_twitter_loop\.ogg$/, 'birds'),
      r(/environment\/(river_loop|cave_droplets_loop)\.ogg$/, 'water'),
      r(/soundfx\/steps\/step_\w+\.ogg$/, 'footsteps', 10),
      r(/soundfx\/door_open\.ogg$/, 'door'),
      r(/npcs\/\w+_merchant_\d+\.ogg$/, 'speech'),
      r(/music\/\w+_theme\.ogg$/, 'music', 6),
    ],
  },
];

/** Longer recordings are trimmed to this many seconds (the whole trimmed file stays in one split). */
export const MAX_SECONDS = 60;

/**
 * More Debian packages with real recordings, opt-in (`corpus build --sources extended`): second
 * sources for cough (hedgewars voice actors), thunder and thud_fall (searchandrescue), more dogs, birds,
 * laughter, applause, typing, doors and water. Not in the default build: they add ~375 MB of .debs and
 * reshuffle the random splits of the classes they extend (docs/notes/sounds.md has the LOPO measurement).
 */
export const EXTENDED_PACKAGE_SOURCES: PackageSource[] = [
  {
    pkg: 'hedgewars-data',
    licenceHint: 'GFDL-1.3',
    rules: [
      r(/Sounds\/voices\/[\w ]+\/PoisonCough\.ogg$/, 'cough'),
      r(/Sounds\/voices\/[\w ]+\/Laugh\.ogg$/, 'laughter'),
      r(/Data\/Sounds\/steps\.ogg$/, 'footsteps'),
      r(/Data\/Sounds\/splash\.ogg$/, 'water'),
    ],
  },
  {
    pkg: 'tuxpaint-stamps-default',
    rules: [
      r(/stamps\/animals\/mammals\/dogs\/dog\.ogg$/, 'dog_bark'),
      r(/stamps\/animals\/birds\/(blackbird|crow|cuckoo|lark|owl|seagull|tucan|quetzal)\.ogg$/, 'birds'),
      r(/stamps\/naturalforces\/lightningbolt\.ogg$/, 'thunder'),
      r(/stamps\/household\/toilet\.ogg$/, 'water'),
      r(/stamps\/hobbies\/music\/(string\/(cello|violin)|wind\/bassoon|percussion\/drumkit)\.ogg$/, 'music'),
    ],
  },
  {
    pkg: 'searchandrescue-data',
    rules: [
      r(/sounds\/thunder_(faint|loud|moderate)\.wav$/, 'thunder'),
      r(/sounds\/thud_(heavy|light|medium)\.wav$/, 'thud_fall'),
      r(/sounds\/door_(close|open)\.wav$/, 'door'),
      r(/sounds\/splash_human\.wav$/, 'water'),
    ],
  },
  { pkg: 'frozen-bubble-data', rules: [r(/snd\/applause\.ogg$/, 'applause'), r(/snd\/typewriter\.ogg$/, 'typing')] },
];

/** Which source lists a build uses. */
export type SourceSet = 'default' | 'extended';

export function packageSources(set: SourceSet): PackageSource[] {
  return set === 'extended' ? [...PACKAGE_SOURCES, ...EXTENDED_PACKAGE_SOURCES] : PACKAGE_SOURCES;
}
