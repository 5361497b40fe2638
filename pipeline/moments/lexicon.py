"""General English word lists behind the local analyser's linguistic signals.

These are broad, hand-written lexicons of the kind found in sentiment and discourse
research (emotion words after Plutchik's categories, intensifiers, modal and imperative
advice verbs, discourse markers, stopwords) plus the stock phrases of housekeeping talk
that every recorded meeting, stream and podcast shares, and the word classes (common
verbs with their irregular forms, adjectives, adverbs, closed-class words) behind a small
rule-based guess at a word's part of speech. They describe English in general; nothing
here refers to a particular video.
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


# --- Word classes for the clip's words (titles, hooks, hashtags) -----------------------------
#
# A small rule-based part-of-speech guess: no tagger, just the closed classes, the common
# irregular verbs, and suffix rules with their usual exceptions. It only has to tell a topic
# noun ("sourdough", "publishers") from a verb, adjective or adverb ("seems", "built", "quiet").

# Irregular verbs as "base past participle" triples (a dash where the form equals the base).
_IRREGULAR = """arise arose arisen; awake awoke awoken; be was been; bear bore born; beat beat beaten;
    become became -; begin began begun; bend bent bent; bet bet bet; bind bound bound; bite bit bitten;
    bleed bled bled; blow blew blown; break broke broken; breed bred bred; bring brought brought;
    build built built; burn burnt burnt; buy bought bought; catch caught caught; choose chose chosen;
    cling clung clung; come came -; creep crept crept; deal dealt dealt; dig dug dug; do did done;
    draw drew drawn; drink drank drunk; drive drove driven; eat ate eaten; fall fell fallen; feed fed fed;
    feel felt felt; fight fought fought; find found found; flee fled fled; fling flung flung; fly flew flown;
    forbid forbade forbidden; forget forgot forgotten; forgive forgave forgiven; freeze froze frozen;
    get got gotten; give gave given; go went gone; grind ground ground; grow grew grown; hang hung hung;
    have had had; hear heard heard; hide hid hidden; hold held held; keep kept kept; kneel knelt knelt;
    know knew known; lay laid laid; lead led led; lean leant leant; leap leapt leapt; learn learnt learnt;
    leave left left; lend lent lent; lose lost lost; make made made; mean meant meant; meet met met;
    mistake mistook mistaken; overcome overcame -; pay paid paid; prove proved proven; rebuild rebuilt rebuilt;
    ride rode ridden; ring rang rung; rise rose risen; run ran -; say said said; see saw seen; seek sought sought;
    sell sold sold; send sent sent; shake shook shaken; shine shone shone; shoot shot shot; show showed shown;
    shrink shrank shrunk; sing sang sung; sink sank sunk; sit sat sat; sleep slept slept; slide slid slid;
    speak spoke spoken; speed sped sped; spend spent spent; spin spun spun; spit spat spat; spring sprang sprung;
    stand stood stood; steal stole stolen; stick stuck stuck; sting stung stung; strike struck struck;
    swear swore sworn; sweep swept swept; swim swam swum; swing swung swung; take took taken; teach taught taught;
    tear tore torn; tell told told; think thought thought; throw threw thrown; undergo underwent undergone;
    understand understood understood; wake woke woken; wear wore worn; weep wept wept; win won won;
    withdraw withdrew withdrawn; write wrote written"""


def _irregular() -> dict[str, str]:
    forms: dict[str, str] = {}
    for triple in _IRREGULAR.split(";"):
        base, past, participle = triple.split()
        for form in (past, participle):
            if form not in ("-", base):
                forms.setdefault(form, base)
    forms["were"] = "be"
    return forms


# Past and participle forms of irregular verbs, mapped to their base ("built" -> "build").
IRREGULAR_PAST = _irregular()

# Verbs that are seldom a topic noun, as base forms; their -s, -ed and -ing forms follow by rule.
VERBS = _words(
    """accept achieve add admit affect afford agree allow announce apologise apologize appear apply
    appreciate argue arrive ask assume attach attempt attend avoid be become beg begin behave believe
    belong blame bless borrow bother breathe bring build burn buy calculate carry catch celebrate chase
    choose clean climb close collect combine come compare compete complain complete concentrate confirm
    connect consider contain continue convince copy correct create cry decide declare defend define
    deliver demand deny depend describe deserve destroy determine develop die disagree disappear discover
    discuss divide do double drag dress earn eat educate embrace enable encourage enjoy ensure enter
    escape establish examine exist expand expect explain explore express fail fill find finish fix fly
    follow forget forgive freeze gain gather generate get give go grab greet grow guess handle happen
    hate hear hesitate hide hire hit hold hurry hurt identify ignore imagine improve include indicate
    inform insist inspire intend introduce invent invest invite involve join jump keep kick kill knock
    know laugh launch lay lead lean learn leave lend let lie listen live look lose make manage marry
    mean measure meet mention mind miss mix move need negotiate notice obey observe obtain occur offer
    open operate organise organize own pack pass pay perform persuade pick pour practice practise pray
    prefer prepare pretend prevent print produce protect prove provide publish pull punish push put quit
    raise reach read realise realize receive recognise recognize recommend recover reduce refer refuse
    reject relax release rely remain remember remind remove repair repeat replace require rescue respond
    reveal ride ring rise run rush save say scream see seem select sell send separate serve set settle
    shake shine shoot shout show shut sing sink sit skip sleep slide solve speak spend spin stand stay
    steal stick stop strike struggle succeed suffer suggest suppose survive suspect swallow swear swim
    switch take talk teach tear tell tend thank think threaten throw tie touch transform translate treat
    try turn understand unlock upset use visit wait wake walk want wash watch wear weep win wish wonder
    work worry wrap write yell feel hang draw fit lift cause note owe smell stare stretch warn cheat dig
    kneel seek swing bite blow beat deal lend"""
) | frozenset(triple.split()[0] for triple in _IRREGULAR.split(";"))

# Words as often a noun as a verb ("a plan" / "I plan"): a noun only after a determiner,
# possessive, number, adjective-like word or preposition (see ``NOUN_CONTEXT``).
DUAL_NOUN_VERB = _words(
    """answer attack bake break call care change charge check claim control cook cost count cover crash
    cut dance design diet doubt dream drink drive drop end exercise experience face fall fear feed fight
    film finish focus form garden guess hand help hit hope increase interview joke judge jump kiss laugh
    lead lie light love mark market matter mind miss move need offer order paint park plan play post
    present promise question race surprise rain record regret reply report rescue research respect rest return
    ride rise run rush sail save search set share shop shot show sign sleep smile snow sound spring
    start step stop struggle study supply support swim taste test text touch trade train travel treat
    trust turn use visit vote walk wash waste watch wave wish wonder work worry bear beat bet deal draw
    ring sink stand strike bite hide wake tear spin swing fly"""
)

# Words after which an ambiguous word is a noun: "the plan", "my work", "in love".
NOUN_CONTEXT = _words(
    """more most less few many much several enough one
    a an the my your his her its our their this that these those every each no some any another
    of in on at for about with from into by after before during without through over under
    first last next new old good bad big small real whole same other own such"""
)

# -ing words that name a thing or an activity, not a verb ("a morning", "nursing school").
ING_NOUNS = _words(
    """morning evening building meeting wedding ceiling clothing housing funding nursing running marketing
    parenting budgeting cooking baking painting training coaching swimming cycling hiking fishing hunting
    gardening camping dating banking investing trading farming mining boxing skiing surfing climbing
    sailing fasting fundraising networking programming coding engineering accounting advertising branding
    pricing recycling shopping healing wellbeing king ring thing string spring wing sibling pudding
    dumpling offspring lightning blessing feeling painting setting ending beginning earring waiting living
    dining parking washing sleeping boarding landing crossing opening"""
)

# -ly words that are nouns ("family"), and -ed words that are not verb forms ("hundred").
LY_NOUNS = _words(
    """family supply italy belly july assembly reply butterfly ally rally jelly bully anomaly monopoly holly
    lily emily molly kelly sally billy polly fly apply comply multiply rely reply"""
)
ED_NOUNS = _words("hundred kindred shred sled shed bed bred red seed need speed breed greed weed creed reed")

ADJECTIVES = _words(
    """able afraid alive alone angry awful bad basic beautiful big bitter black blue bold boring brave
    brief bright broad broken brown busy calm careful certain cheap chief clean clear close cold common
    complete complex cool correct crazy critical cruel curious cute dark dead dear deep dense difficult
    dirty dry due dull early easy empty entire equal exact extra fair false familiar famous fancy far
    fast fat fierce final fine firm flat fond free fresh friendly full funny general gentle glad global
    golden good grand grateful great green grey gray guilty happy hard harsh healthy heavy helpful high
    honest horrible hot huge hungry ill important impossible initial inner innocent intense interesting
    internal key kind large last late lazy legal likely little live local lonely long loose loud lovely
    low lucky mad main major mere middle mild minor modern modest moral narrow nasty natural near neat
    necessary negative nervous nice noble normal obvious odd official old open opposite ordinary
    original overall pale particular perfect personal physical plain pleasant polite poor popular
    positive possible powerful practical precious pretty previous private proper proud public pure quick
    quiet rapid rare raw ready real reasonable recent red regular relevant rich right rough round rude
    sad safe scared secret serious several severe sharp short shy sick silent silly similar simple
    single slight slow small smart soft solid sorry sour special specific steady stiff straight strange
    strict strong stupid sudden sure sweet tall terrible thick thin tight tiny tired total tough true
    typical ugly unable unfair unhappy unique unknown unusual upper urgent useful usual vague valid
    various vast vital warm weak weird wet white wide wild wise wonderful worse worst wrong young
    better bigger faster harder easier longer higher lower smaller older younger stronger cheaper deeper
    quicker slower simpler richer happier larger wider closer earlier later greater fewer best worst
    least heartbroken"""
)
# Irregular participles in -en, alone or closing a compound ("heartbroken", "outspoken").
_EN_PARTICIPLES = tuple(form for form in IRREGULAR_PAST if form.endswith("en") and len(form) > 4)
_ADJECTIVE_SUFFIXES = ("ous", "ful", "less", "ive", "able", "ible", "ical", "ish", "est")
_ADJECTIVE_SUFFIX_NOUNS = _words(
    """handful mouthful spoonful cupful detective executive objective relative initiative alternative native
    motive archive olive table cable vegetable fable stable bible constable english spanish polish fish
    dish radish wish interest request forest harvest contest protest chest guest quest nest test vest west
    arrest manifest digest conquest honest modest"""
)

ADVERBS = _words(
    """about again ago ahead almost alone already also always anyway anywhere apart around aside away
    back barely certainly clearly completely constantly definitely directly down easily else elsewhere
    enough entirely especially even eventually ever everywhere exactly extremely fairly far finally
    forever forward further hardly here however indeed instead just later least less maybe meanwhile
    merely more most mostly much nearly never nevertheless next nonetheless nowhere now obviously often
    once only otherwise outside overnight perhaps please plenty possibly pretty probably quite rather
    really recently seldom simply slightly sometimes longer afterwards afterward beforehand anymore upstairs
    downstairs abroad indoors outdoors overseas somewhat somewhere soon still suddenly then there
    therefore though thus today together tomorrow tonight too truly twice usually very well yesterday yet"""
)

# Closed-class and quantity words the general stopword list leaves out, plus the calendar:
# none of them names what a clip is about. (The general list also weighs the words of the
# moment analysis, so words only a hashtag must not be are added here.)
FUNCTION_WORDS = _words(
    """since until unless whether without within upon across along among behind beside beyond despite
    except toward towards onto via per whenever wherever another either neither each every everybody
    nobody somebody anybody whoever whatever whichever half several none whose shall may might must
    cannot mine yours ours theirs zero one dozen first second third fourth fifth sixth seventh eighth
    ninth tenth eleventh twelfth twentieth hundredth thousandth monday tuesday wednesday thursday friday
    saturday sunday january february march april june july august september october november december
    weekend tonight yesterday tomorrow everybody's nobody's okay alright others ones plus inside outside
    underneath beneath throughout besides although whereas alongside amongst anytime"""
)

# Verbs and modals that can open a yes/no question by inversion ("was", "can't").
AUXILIARIES = _words(
    """am is are was were can could will would should must might may has have had does do did isn't
    aren't wasn't weren't can't couldn't won't wouldn't shouldn't mustn't hasn't haven't hadn't doesn't
    don't didn't"""
)

# Number words the general list leaves out ("eighteen", "the forties").
MORE_NUMBER_WORDS = _words(
    """zero thirteen fourteen sixteen seventeen eighteen nineteen tens twenties thirties forties fifties
    sixties seventies eighties nineties dozens"""
)

# Nouns too general to be a topic ("#difference", "#answer").
GENERIC_TOPICS = _words(
    """amount difference answer question problem idea reason example number case fact matter term level
    type piece bunch version situation stuff anything everything rest side sense moment minute minutes
    second seconds hour hours times story stories lesson area feeling feelings front top bottom middle life
    world name value"""
)



_ING_VERB_CONTEXT = _words(
    """i you he she we they it i'm you're he's she's we're they're it's be been keep kept start started stop
    stopped go went"""
)
_BARE_VERB_CONTEXT = _words(
    """i you we they to and or but who let's please people children men women police don't can't won't
    i'll you'll we'll they'll"""
)
_SINGULAR_CONTEXT = _words("this that a an each every another it he she one")


def verb_base(word: str) -> str | None:
    """The base form of a known verb form ("needs" -> "need", "hid" -> "hide"), else None."""
    if word in IRREGULAR_PAST:
        return IRREGULAR_PAST[word]
    if word in ("is", "am", "are", "was", "were", "been", "being"):
        return "be"
    if word in ("has", "had"):
        return "have"
    if word in ("does", "did", "done"):
        return "do"
    known = VERBS | DUAL_NOUN_VERB
    if word in known:
        return word
    candidates: list[str] = []
    if word.endswith("ies"):
        candidates.append(word[:-3] + "y")
    if word.endswith("es"):
        candidates.append(word[:-2])
    if word.endswith("s"):
        candidates.append(word[:-1])
    if word.endswith("ied"):
        candidates.append(word[:-3] + "y")
    if word.endswith("ed"):
        candidates += [word[:-2], word[:-1], word[:-3]]
    if word.endswith("ing"):
        candidates += [word[:-3], word[:-3] + "e", word[:-4]]
    return next((c for c in candidates if c in known), None)


def is_past(word: str) -> bool:
    """Whether ``word`` is a past-tense verb form ("crashed", "hid", "was")."""
    return word in ("was", "were", "had", "did") or word in IRREGULAR_PAST or (
        word.endswith("ed") and len(word) > 4 and word not in ED_NOUNS and not word.endswith("eed")
    )


def is_verb(word: str, previous: str = "") -> bool:
    """Whether ``word`` (lower-case) is used as a verb, judged from the word and the one before it.

    Auxiliaries, known verbs and their inflections are verbs; an ``-ed`` or ``-ing`` form
    counts as one too (a participle names no topic), except a few nouns ("hundred",
    "morning"); a word as often a noun as a verb is a verb unless a determiner,
    possessive, adjective or preposition stands before it ("the plan", "my work").
    """
    if word in AUXILIARIES or word in IRREGULAR_PAST:
        return True
    modifier = is_adjective(previous) and previous not in ADVERBS
    noun_context = previous in NOUN_CONTEXT or previous.isdigit() or modifier
    if word.endswith("ing") and len(word) > 5:
        if noun_context:
            return False
        # "nursing school", "for running" are nouns; "was running", "I'm running" are verbs.
        return word not in ING_NOUNS or previous in AUXILIARIES or previous in _ING_VERB_CONTEXT
    if is_past(word) and word not in IRREGULAR_PAST:
        return True
    base = verb_base(word)
    if base is None:
        return False
    if base in DUAL_NOUN_VERB:
        if word != base and word.endswith("s") and previous in _SINGULAR_CONTEXT:
            # "this stops", "it works": a plural noun cannot follow these, so it is a verb.
            return True
        if noun_context:
            return False
        # A bare form follows a subject pronoun, a plural, a modal or an adverb ("they plan",
        # "people love", "can work"); after a singular noun it is a noun ("job interview").
        singular_noun = (
            word == base
            and previous
            and previous not in _BARE_VERB_CONTEXT
            and previous not in AUXILIARIES
            and not previous.endswith("s")
            and not is_adverb(previous)
            and not is_past(previous)
        )
        return not singular_noun
    return True


def is_adjective(word: str) -> bool:
    """Whether ``word`` reads as an adjective on its own ("quiet", "awful", "biggest", "heartbroken")."""
    if word in ADJECTIVES or word.endswith(_EN_PARTICIPLES):
        return True
    if word in _ADJECTIVE_SUFFIX_NOUNS or len(word) < 6:
        return False
    return word.endswith(_ADJECTIVE_SUFFIXES)


def is_adverb(word: str) -> bool:
    """Whether ``word`` is an adverb ("almost", "measurably")."""
    return word in ADVERBS or (word.endswith("ly") and len(word) > 4 and word not in LY_NOUNS)
