"""General English word lists behind the local analyser's linguistic signals.

These are broad, hand-written lexicons of the kind found in sentiment and discourse
research (emotion words after Plutchik's categories, intensifiers, modal and imperative
advice verbs, discourse markers, stopwords) plus the stock phrases of housekeeping talk
that every recorded meeting, stream and podcast shares. They describe English in
general; nothing here refers to a particular video.
"""

from __future__ import annotations


def _words(text: str) -> frozenset[str]:
    """A set of single words written as one whitespace-separated string."""
    return frozenset(text.split())


def _phrases(text: str) -> tuple[str, ...]:
    """Phrases written as one comma-separated string (phrases never contain commas)."""
    return tuple(" ".join(phrase.split()) for phrase in text.split(",") if phrase.strip())


STOPWORDS = _words(
    """a about above after again against all also am an and any are aren't as at be because been before
    being below between both but by can can't cannot could couldn't did didn't do does doesn't doing
    don't down during each few for from further get gets got had hadn't has hasn't have haven't having
    he he'd he'll he's her here here's hers herself him himself his how how's i i'd i'll i'm i've if in
    into is isn't it it's its itself just let's like me more most mustn't my myself no nor not now of
    off on once only or other ought our ours ourselves out over own really same shan't she she'd she'll
    she's should shouldn't so some such than that that's the their theirs them themselves then there
    there's these they they'd they'll they're they've this those through to too under until up us very
    was wasn't we we'd we'll we're we've were weren't what what's when when's where where's which while
    who who's whom why why's will with won't would wouldn't you you'd you'll you're you've your yours
    yourself yourselves yeah okay ok oh um uh um hmm well gonna wanna kind sort thing things stuff lot
    lots bit actually basically literally maybe probably pretty quite going go went know knew think
    thought say said says see saw look looking want make made right mean means one two first way
    something anything everything nothing someone anyone everyone people guys yes sure today time just
    still even back much many every around again ever need new good great"""
)

# Common words too general to name what a clip is about (keywords and hashtags skip them).
GENERIC_WORDS = _words(
    """different next last same whole little long year years day days week weeks month months time times
    place part point side home called asked told came come comes gave give gives took take takes found find
    feel felt keep kept left start started end ended getting doing done made makes making used using yeah
    okay actually really always never often sometimes maybe everything something nothing anything someone
    everyone people person thing things kind sort lots couple whatever while though although"""
)

SECOND_PERSON = _words("you your you're yours yourself yourselves you'll you've you'd")

NUMBER_WORDS = _words(
    """two three four five six seven eight nine ten eleven twelve fifteen twenty thirty forty fifty sixty
    seventy eighty ninety hundred hundreds thousand thousands million millions billion billions trillion
    percent half double triple dozen"""
)

# Superlatives and absolutes: the vocabulary of bold claims.
BOLD = _words(
    """best worst biggest greatest most least only never always nobody everybody everyone nothing
    everything secret truth myth mistake wrong lie lies impossible guaranteed proven ultimate single
    number-one exactly absolutely completely totally entire forever hardest easiest fastest simplest
    massive huge insane crazy shocking unbelievable revolutionary critical essential key real"""
)

CONFLICT = _words(
    """but however although though yet instead versus against fight fought battle war problem problems fail
    failed failure failing lose lost losing mistake mistakes wrong broke broken crisis risk risky threat
    enemy argue argued argument disagree conflict struggle struggled quit fired rejected refuse refused
    stop stopped hate hated blame dangerous"""
)

INTENSIFIERS = _words(
    """very really so extremely incredibly absolutely totally completely utterly literally seriously
    insanely deeply truly highly hugely massively remarkably ridiculously super"""
)

# Verbs that open an instruction or recommendation, and the modal phrases of advice.
ADVICE_VERBS = _words(
    """stop start try remember avoid focus build write ask learn practice keep make take use spend save
    invest quit forget imagine consider think notice listen watch pick choose decide protect train drink
    eat sleep read plan track measure test check define set cut begin"""
)
ADVICE_PHRASES = _phrases(
    """you should, you need to, you have to, you must, you can, don't, do not, never, always, make sure,
    the key is, the trick is, the secret is, my advice, here's how, the best way, if you want, if
    you're, instead of, the rule, the lesson, what you do, start with, try to, step one, the first step"""
)

SURPRISE_PHRASES = _phrases(
    """turns out, it turns out, surprisingly, i realized, i realised, suddenly, to my surprise, nobody
    expected, no one expected, believe it or not, the opposite, it's not, it isn't, wasn't, what
    actually, the truth is, in fact, actually, it was the, that's when, out of nowhere,
    counterintuitive, plot twist, nobody tells you, no one tells you, secret, weird, strange,
    unexpected, shocked, shocking, surprised, surprising"""
)

# Discourse markers that close a story or draw its lesson: a clip ending on one is complete.
PAYOFF_PHRASES = _phrases(
    """that's why, that is why, the lesson, the point is, which means, in the end, so the, that's how,
    that's what, and that's, the moral, bottom line, what i learned, i learned, the takeaway, remember,
    so next time, and now, ever since, from that day, to this day, that changed, changed everything,
    that's the, the answer is, the result, and it worked"""
)

STORY_MARKERS = _phrases(
    """when i, i was, we were, one day, years ago, last year, the day, i remember, there was, my first, i
    had, she said, he said, i said, told me, asked me"""
)

# Words that point back at something said before the clip; a clip opening on one dangles.
DANGLING_OPENERS = _words(
    """that this these those it its it's he she they them his her their which also and but or because then
    another anyway besides likewise"""
)

# Words a sentence or clip cannot end on without an unfinished thought.
UNFINISHED_ENDINGS = _words(
    "and but or so because the a an of to with that which like for if then is are was my your our"
)
CONTINUATION_ENDINGS = (":", "...", "…", ",", ";", "-", "—")

EMOTIONS: dict[str, frozenset[str]] = {
    "joy": _words(
        """happy happiest happiness joy love loved loving lovely glad excited exciting amazing awesome
        wonderful beautiful fun delighted thrilled proud celebrate celebrated laugh laughed smile smiled
        best grateful fantastic brilliant win won winning"""
    ),
    "surprise": _words(
        """surprise surprised surprising shocked shocking unexpected suddenly astonishing stunned unbelievable
        incredible wow whoa weird strange bizarre mind-blowing realized realised"""
    ),
    "anger": _words(
        """angry anger furious mad rage hate hated outraged annoyed annoying frustrated frustrating unfair
        ridiculous terrible awful disgusting insulting betrayed lied"""
    ),
    "fear": _words(
        """afraid scared fear terrified terrifying panic panicked anxious anxiety worried worry nervous
        dangerous danger risk threat nightmare dread desperate"""
    ),
    "sadness": _words(
        """sad sadness cry cried crying tears lonely alone grief lost loss died death hurt pain painful broke
        broken heartbroken miss missed regret depressed"""
    ),
    "inspiration": _words(
        """dream dreams inspire inspired inspiring courage brave hope believe purpose passion grow growth
        overcome persevere determined succeed success transform changed freedom potential"""
    ),
    "humor": _words(
        """funny hilarious joke jokes joking laugh laughing laughed ridiculous absurd silly embarrassing
        awkward"""
    ),
}

# Housekeeping talk: greetings, logistics, technical checks, channel plugs and sponsor reads.
FILLER_PHRASES = _phrases(
    """on the show, on this show, show notes, this episode, today's episode, the podcast, this podcast,
    leave us a review, leave a review, hello everyone, hi everyone, hey everyone, hey guys, hi guys,
    hello guys, welcome back, welcome to,
    good morning, good afternoon, good evening, thanks for joining, thank you for joining, thanks for
    having me, thank you for having me, thanks for coming, thanks everyone, thank you all, thank you so
    much for, nice to see, great to see, good to see, how is everyone, how's everyone, can you hear me,
    can everyone hear, can you see my, can you all see, is this working, is my mic, my microphone,
    you're on mute, you are on mute, unmute, i'm on mute, share my screen, sharing my screen, screen
    share, let me share, let me just, bear with me, one second, one sec, give me a second, hold on,
    technical difficulties, the slides, next slide, this slide, the chat, in the chat, the link, in the
    description, link below, subscribe, hit the like, like button, the bell, notification, our sponsor,
    sponsored by, today's sponsor, promo code, discount code, use code, patreon, merch, housekeeping,
    agenda, quick reminder, reminder, schedule, take a break, a quick break, we'll take questions,
    questions at the end, q&a, the recording, being recorded, let's get started, let's get into it,
    without further ado, before we start, before we begin, before we get started, a couple of
    announcements, announcement, wifi, the bathroom, restrooms, parking, name tags, sign up, sign-up,
    see you next, that's all for today, that's it for today, thanks for watching, thank you for
    watching, see you in the next, bye, goodbye, catch you, where was i, what was i saying, lost my
    train of thought, anyway, i digress, moving on, next up, over to you, hand over to, hand it over,
    hand back to, pass it to, pass it over"""
)
HESITATIONS = _words("um umm uh uhh er erm hmm mm mhm")

# Single words that belong to running an event, a show or a channel rather than to its content.
HOUSEKEEPING_WORDS = _words(
    """welcome thanks thank please mute muted unmute microphone mic screen slide slides deck clicker chat
    link session agenda schedule reminder recording recorded webinar livestream sponsor sponsored
    subscribe channel feedback form panel zoom camera housekeeping announcement announcements parking
    entrance restroom restrooms wifi episode podcast guest guests listeners"""
)

# Backchannels and acknowledgements: a sentence made only of these carries no content.
ACKNOWLEDGEMENTS = _words(
    """okay ok alright all right great perfect thanks thank you yes yeah yep sure cool good fine sorry
    there we go so um uh well oh nice awesome wonderful excellent welcome hi hello hey bye"""
)

# Sentence openers that mark a change of subject in speech ("Okay, so...", "Anyway, ...").
SHIFT_OPENERS = _words("okay ok alright anyway right now moving next")

# Cataphoric set-ups: they promise what comes next, so a clip cannot end on one.
CATAPHORIC_PHRASES = _phrases(
    """here's something, here is something, here's one thing, here's a, here is a, here's what, here's why,
    here's how, here's the thing, here is what, here is why, here is how, here is the thing, let me tell you,
    let me explain, like this, the reason is, guess what, listen to this, the following, what happened next,
    it goes like"""
)
