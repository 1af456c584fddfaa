// Extra training texts for the voice rate model (scripts/voice-rate-data.ts, round 11): sentences written
// for it, of varied length and kind (questions, commands, statements, exclamations, lists, numbers, long
// clauses), so the model hears far more phone contexts than the 16 tuning phrasings. None is a bench
// phrasing: `RATE_TEXTS` drops any sentence that shares a three-word sequence with a tuning or a report
// phrasing (bench/voice-audio.ts), so a fold that holds tuning phrasings out still never hears them, and
// the report phrasings stay unheard.
import { REPORT_PHRASES, TUNING_PHRASES } from '../bench/voice-audio.ts';

const WRITTEN = `
yes
no thanks
good morning
okay then
stop
hello there
wait a second
not right now
maybe later
see you soon
thank you very much
that sounds great
I am not sure
go back one step
skip this song
read it again slowly
louder please
what was that
are we there yet
where is the nearest pharmacy
which bus goes to the station
how far is the airport from here
who won the game last night
why is the sky blue
how much does a ticket cost
is there any coffee left in the pot
did you remember to lock the car
have you seen my blue umbrella
should I bring a jacket tomorrow
could we move the appointment to thursday
would you like some more soup
do we need anything from the shop
can I park my bicycle here
what should we cook for supper
what does this word mean in french
how do you spell necessary
how long should I boil an egg
what is the capital of australia
is the post office open on saturday
add eggs and butter to the shopping list
call the dentist on monday morning
send a message to anna saying I will be late
play some quiet piano music
pause the podcast for a moment
show me the photos from the holiday
switch the heating off at ten
wake me up at half past six
lower the blinds in the bedroom
start a stopwatch
cancel my alarm for tomorrow
find a recipe for lemon cake
read me the latest news headlines
water the plants on the balcony
put the kettle on please
close the garage door behind you
the cat is sleeping on the sofa
our neighbours have a very noisy dog
I left my phone in the car
the shop around the corner sells fresh fish
she plays the violin every evening
he forgot his wallet at the restaurant
the children are building a snowman outside
it is much colder than yesterday
the bridge was closed for repairs
we watched a film about penguins
my grandmother makes the best apple pie
the river floods almost every spring
the office is on the fourth floor
there is a spider in the bathtub
the battery is nearly empty
this soup needs a little more salt
the flight was delayed by three hours
I have an exam on friday
the parcel arrived this afternoon
the baby finally fell asleep
a strong wind blew the fence over
the museum has a new dinosaur exhibit
I usually walk to work
they moved to a small village near the coast
the lamp in the hallway keeps flickering
the tomatoes are ripe enough to pick
somebody knocked on the front door twice
the football match was cancelled because of the storm
we planted three cherry trees last autumn
the recipe calls for two cups of flour
the old clock in the kitchen stopped at midnight
our team finished second in the quiz
the road to the beach is full of holes
I really enjoyed the concert on saturday
the trousers are too long for me
he painted the fence bright green
there are seven days in a week
twelve plus nineteen is thirty one
my number is four five six two eight
the year nineteen ninety nine
it costs twenty four pounds fifty
the temperature dropped to minus eight degrees
we need six chairs and two tables
the shop opens at nine fifteen
chapter eleven starts on page two hundred
what a beautiful sunset
that was a fantastic goal
oh no I spilled the juice
how wonderful to see you again
watch out for the step
hurry up or we will miss it
be careful with that knife
don't forget your keys
never mind it doesn't matter
sorry I didn't catch that
excuse me is this seat taken
happy birthday to you
congratulations on the new job
apples pears plums and grapes
red orange yellow green blue
monday tuesday wednesday thursday friday
salt pepper oil and vinegar
one two three four five six seven
north south east and west
spring summer autumn and winter
a hammer some nails and a ladder
if it rains tomorrow we will stay inside and play cards
when the bell rings everybody has to leave the building quietly
although the hotel was expensive the rooms were small and dark
after we finished dinner we went for a long walk along the river
the man who lives next door repairs old motorbikes in his garage
because the lift was broken we had to carry the boxes up the stairs
she said that the meeting had been moved but nobody told me
I would have called you earlier but my phone was switched off
as soon as the sun comes out the whole garden looks different
the cake we ordered for the party was far too sweet
before you leave please make sure all the windows are shut
my uncle used to drive a taxi in the city for twenty years
the students who finished early were allowed to go home
we could take the train or we could drive but the train is faster
if you press the red button the machine stops immediately
the longer you wait the harder it gets to start again
most of the shops in the old town close early on wednesdays
the paint on the kitchen walls is starting to peel off
during the summer holidays the beaches are always crowded
I can never remember where I parked the car
the doctor told him to rest for at least a week
our train leaves from platform nine in ten minutes
there were so many people at the market that we could hardly move
the little boy dropped his ice cream and started to cry
they say the new bakery on the high street is very good
he spent the whole weekend fixing the roof of the shed
the weather forecast promised sunshine but it rained all day
could you possibly speak a little more slowly
I wonder whether the post has come yet
let me know when you are ready to go
give the dog a bath before the guests arrive
tell the kids that dinner is almost ready
remember to buy stamps on your way home
the lights went out during the thunderstorm
nobody knows exactly how old that tree is
my sister is learning to play the drums
the noise from the building site starts at seven
the cheese in the fridge smells a bit strange
I think the washing machine is leaking again
a woman in a yellow coat asked me for directions
the fox ran across the field and into the woods
these shoes are comfortable but they look terrible
the teacher handed back our essays this morning
thunder rolled over the hills all night long
the coffee machine makes a strange grinding sound
please don't leave your bags in the corridor
the swimming pool is closed for cleaning until june
it took us four hours to drive through the mountains
a bowl of hot porridge with honey
the quick brown fox jumps over the lazy dog
she sells sea shells by the sea shore
peter piper picked a peck of pickled peppers
a big black bug bit a big black bear
rubber baby buggy bumpers
fresh fried fish
unique new york
the sixth sick sheik's sixth sheep is sick
statistics and probability
particularly unusual circumstances
extraordinary responsibilities
a comfortable temperature
the laboratory is on the ground floor
the photographer arrived with all his equipment
vegetables contain lots of vitamins
my favourite subject at school was geography
the committee will announce its decision tomorrow
the hospital needs more volunteers at the weekend
electricity prices went up again
the orchestra rehearses on tuesday evenings
international flights depart from terminal two
the government announced new regulations yesterday
a thousand kilometres of motorway
be quiet the baby is sleeping
is that really true
you must be joking
I can't believe it's already december
what on earth happened here
how did you manage that
leave it on the table by the stairs
hand me the scissors please
I'll meet you outside the cinema at eight
we're going camping in the forest next month
they've painted the front door dark red
it's too late to change our plans now
you'd better take an umbrella with you
the wind is picking up
a glass of cold water
good night sleep well
let's go
come in and sit down
that's enough for today
is anybody home
the soup is hot
fish and chips
the dog barked
rain again
look at that
`;

const words = (s: string): string[] => s.toLowerCase().replace(/[^a-z' ]/g, ' ').split(/\s+/).filter(Boolean);
const trigrams = (s: string): string[] => {
  const w = words(s);
  return w.slice(2).map((_, i) => w.slice(i, i + 3).join(' '));
};
const BENCH_TRIGRAMS = new Set([...TUNING_PHRASES, ...REPORT_PHRASES].flatMap(trigrams));

/** The written sentences that share no three-word sequence with a bench phrasing. */
export const RATE_TEXTS: string[] = WRITTEN.split('\n').map((s) => s.trim()).filter((s) => s && !trigrams(s).some((t) => BENCH_TRIGRAMS.has(t)));
/** The ones dropped by that rule (printed by the data script, for the notes). */
export const DROPPED_TEXTS: string[] = WRITTEN.split('\n').map((s) => s.trim()).filter((s) => s && trigrams(s).some((t) => BENCH_TRIGRAMS.has(t)));
