"""Word lists for cutting quotable lines out of speech and turning them into hooks.

English lists first: the words a line may not end on, the markers and fillers that open or
pad a spoken sentence, the conjunctions that join its clauses, and the words behind a
question made from a statement. Then enough of Spanish, French, German, Portuguese and
Italian to recognise the language, keep function words out of hashtags and cut their lines
cleanly; for those languages a clip is written about from its own words and the few templates
(the reason, a question about the topic) that exist in all six.
"""

from __future__ import annotations

from pipeline.moments.lexicon import CONFLICT, SURPRISE_PHRASES, _phrases, _words

# Words a title, hook or quoted line must not end on: it would stop mid-thought.
DANGLING_ENDINGS = _words(
    """and but or so because the a an of to with that which like for if then is are was were my your our
    their his her its from in on at by about into than as very really just when while where who whose
    this these those some any i we he she they be been being have has had do does did can could will
    would should must might may am every each such whether although though unless until"""
)

# Words no sentence ends on, even where the speaker stopped ("... about two hundred and").
FINAL_DANGLING = _words(
    """and but or because the a an my your our their his her its of to with if than when while whether
    although unless every"""
)

# Discourse markers and hesitations that open a spoken sentence without adding to it; the
# second list only when a comma follows ("Look, ..." but not "Look at this").
LEADING_MARKERS = _phrases(
    """so, and, but, well, okay, ok, alright, honestly, basically, actually, yeah, yes, um, uh, er, erm,
    oh, anyway, mm, hmm, and so, and then, but yeah, so yeah, to be honest, i mean, you know"""
)
COMMA_MARKERS = _phrases("now, right, look, listen, see, like, sorry, hey, i guess, you see, man, guys")
# Fillers dropped where they stand between commas ("it was, you know, huge") or end a line.
INNER_FILLERS = _phrases(
    """you know, i mean, like, basically, actually, honestly, kind of, sort of, right, i think, i guess,
    or something, and stuff, and everything, or whatever"""
)
SUBORDINATORS = _words("because when while if although though unless until whereas since which who where whose")
COORDINATORS = _words("and but or so yet")
PREPOSITIONS = _words(
    """in on at with for from by after before during without into about over under through across
    between against toward towards around behind near like"""
)

# Pronouns and demonstratives that point back at earlier talk when they open a line.
BACK_POINTERS = _words("it it's its this that that's these those he he's she she's they they're them there there's")

# Bold words strong enough to name a claim (the general BOLD list also holds "only", "key", "real").
STRONG_CLAIMS = _words(
    """best worst biggest greatest nobody everybody secret truth myth mistake wrong lie lies impossible
    guaranteed proven ultimate hardest easiest fastest simplest massive huge insane crazy shocking
    unbelievable revolutionary critical essential never"""
)
# Conflict words that are more than a connective ("but", "though" only join clauses).
STRONG_CONFLICT = CONFLICT - _words("but however although though yet instead versus against stop")
# Surprise cues that are more than a hedge ("actually", "it's not" are everyday speech).
_HEDGES = {"actually", "what actually", "it's not", "it isn't", "wasn't", "it was the", "in fact", "that's when"}
STRONG_SURPRISE = tuple(p for p in SURPRISE_PHRASES if p not in _HEDGES)

# Imperatives that make no "What happens when you ...?" question ("... when you imagine ...").
NON_ACTION_VERBS = _words(
    """let imagine remember think consider notice listen look see watch wonder guess say tell be do go come
    know mean want hope believe feel like love thank welcome please"""
)
# Words that cannot open the subject of a question made by inversion, beyond the closed classes.
NON_SUBJECTS = _words(
    """there here what who how why when where one everyone everything nothing nobody someone something
    anyone anything if to not no him her them us me"""
)

# Verbs that need what follows them: a line cut right after one stops mid-thought.
OBJECT_VERBS = _words(
    """say tell show think know realise realize find learn believe mean name call write explain decide
    remember notice discover feel hope wish want need wonder guess like love get make give take put keep
    bring buy send see hear ask teach prove suggest admit claim argue"""
)

# Verbs whose outcome makes a "How did ...?" question ("How did I finish forty minutes faster?").
ACHIEVEMENT_VERBS = _words(
    """achieve beat become build double earn escape finish fix grow learn lose make manage pay quit raise
    reach recover save sell solve survive triple win"""
)


# --- Templates, in English and the other languages ---------------------------------------------

# Phrases of the reason, in the order they are named; at most three are.
REASONS = {
    "en": {
        "topic": "covers the requested topic",
        "replay": "is the part viewers replay most",
        "question": "opens with a question",
        "number": "puts a concrete number up front",
        "claim": "leads with a bold claim",
        "story": "tells a personal story",
        "advice": "gives practical advice people will save",
        "twist": "delivers an unexpected twist",
        "emotion": "carries real emotion",
        "payoff": "ends on a clear takeaway",
        "numbers": "backs its point with numbers",
        "conflict": "sets up a conflict in its first seconds",
        "you": "speaks straight to the viewer",
        "standalone": "stands on its own from start to finish",
    },
    "es": {
        "topic": "trata el tema que pediste",
        "replay": "es la parte que más se vuelve a ver",
        "question": "abre con una pregunta",
        "number": "pone una cifra concreta al principio",
        "numbers": "respalda lo que dice con cifras",
        "standalone": "se sostiene solo de principio a fin",
    },
    "fr": {
        "topic": "traite le sujet demandé",
        "replay": "est le passage le plus revu",
        "question": "s'ouvre sur une question",
        "number": "avance un chiffre concret dès le début",
        "numbers": "appuie son propos sur des chiffres",
        "standalone": "se suffit à lui-même du début à la fin",
    },
    "de": {
        "topic": "behandelt das gewünschte Thema",
        "replay": "ist die am häufigsten wiederholte Stelle",
        "question": "beginnt mit einer Frage",
        "number": "nennt gleich zu Beginn eine konkrete Zahl",
        "numbers": "untermauert seine Aussage mit Zahlen",
        "standalone": "steht von Anfang bis Ende für sich",
    },
    "pt": {
        "topic": "aborda o tema pedido",
        "replay": "é a parte mais revista",
        "question": "começa com uma pergunta",
        "number": "traz um número concreto logo no início",
        "numbers": "sustenta o que diz com números",
        "standalone": "se sustenta sozinho do início ao fim",
    },
    "it": {
        "topic": "tratta l'argomento richiesto",
        "replay": "è la parte più rivista",
        "question": "si apre con una domanda",
        "number": "mette subito un numero concreto",
        "numbers": "sostiene il discorso con dei numeri",
        "standalone": "sta in piedi da sola dall'inizio alla fine",
    },
}
# (opening words, the word for "and", the sentence for a clip with no strong feature)
REASON_FRAMES = {
    "en": ("This clip", "and", "This clip is a coherent stretch of talk without a strong hook or payoff."),
    "es": ("Este clip", "y", "Este clip es un fragmento coherente de la charla, sin un gancho ni un remate fuertes."),
    "fr": ("Ce clip", "et", "Ce clip est un passage cohérent, sans accroche ni chute marquante."),
    "de": ("Dieser Clip", "und", "Dieser Clip ist ein zusammenhängender Abschnitt ohne starken Einstieg oder Pointe."),
    "pt": ("Este clipe", "e", "Este clipe é um trecho coerente da conversa, sem um gancho ou desfecho fortes."),
    "it": ("Questa clip", "e", "Questa clip è un tratto di discorso coerente, senza un aggancio o una chiusura forti."),
}
# A short question about the clip's main topic, for a clip that asks none and offers no line
# to turn into one. Outside English the topic leads, so that no article has to agree with it
# ("Abuela: ¿qué hay detrás?").
TOPIC_QUESTIONS = {
    "en": "What's the real story behind {the}{topic}?",
    "es": "{Topic}: ¿qué hay detrás?",
    "fr": "{Topic} : qu'y a-t-il derrière ?",
    "de": "{Topic}: Was steckt dahinter?",
    "pt": "{Topic}: o que está por trás?",
    "it": "{Topic}: cosa c'è dietro?",
}


# --- Other languages ---------------------------------------------------------------------------

# Opening markers of Spanish, French, German, Portuguese and Italian speech, as for English.
FOREIGN_MARKERS = _phrases(
    """bueno, pues, entonces, eh, y, bon, alors, donc, euh, et, ben, bah, äh, ähm, und, então, bom, e,
    allora, beh, ehm"""
)
FOREIGN_COMMA_MARKERS = _phrases(
    "o sea, vale, mira, voilà, also, na, ja, naja, tipo, né, olha, cioè, ecco, insomma, senti"
)

# A few very frequent words per language: the share of a text's words found in each set says
# which language it is. Shared words ("de", "que") count for every language holding them.
LANGUAGE_MARKERS: dict[str, frozenset[str]] = {
    "en": _words("the and is of to you that it was with for this but not what are have they i in a on be he we my"),
    "es": _words("el la los las y que de en un una es por para con se lo más del al su mi no pero muy como está era"),
    "fr": _words("le la les et est de des du un une que qui dans pour pas je vous il elle ce sur au avec mon était"),
    "de": _words("der die das und ist nicht ich sie es ein eine zu mit auf den dem für sich von im hat war wir"),
    "pt": _words("o os a as e é de do da em um uma que não você para com no na por mais isso meu minha"),
    "it": _words("il lo la gli le e è di che non un una per con sono del della in mi ho anche questo ma"),
}

FOREIGN_STOPWORDS: dict[str, frozenset[str]] = {
    "es": _words(
        """a al algo algunos ante antes aquí así aunque bien cada como con contra cual cuando de del desde
        donde dos el ella ellas ellos en entre era eran es esa ese eso esta está estaba están este esto
        estos fue fueron ha había hace hacer han hasta hay la las le les lo los más me mi mis mucho muy
        nada ni no nos nosotros o otra otro para pero poco por porque que qué quien se ser si sí sido sin
        sobre son su sus también tan tanto te tener tengo tiene todo todos tu tú un una uno unos usted y
        ya yo eh bueno pues entonces vale o sea cosa cosas algo siempre nunca ahora luego después puede
        hacía estoy soy eres somos tenía dijo decir vez veces años año día días gente"""
    ),
    "fr": _words(
        """à a ai au aux avait avec avoir c ça ce cela ces cet cette comme dans de des du elle elles en
        est et été être eu il ils j je la le les leur lui m ma mais me même mes moi mon n ne ni nos notre
        nous on ont ou où par pas peu plus pour qu que qui s sa sans se ses si son sont sur t ta te tes
        toi ton tous tout toute très tu un une vos votre vous y était étaient fait faire bien alors donc
        euh bon voilà quand aussi encore déjà jamais toujours rien chose choses fois ans jour jours gens
        puis après avant peut dit"""
    ),
    "de": _words(
        """aber alle allem allen aller alles als also am an auch auf aus bei bin bis bist da damit dann
        das dass dein deine dem den der des dich die dir doch dort du durch ein eine einem einen einer
        eines er es etwas euch euer für gegen gewesen habe haben hat hatte hätte ich ihm ihn ihr ihre im
        in ist ja jetzt kann kein keine können man mein meine mich mir mit muss nach nicht nichts noch nun
        nur ob oder ohne schon sehr sein seine sich sie sind so über um und uns unser unter viel vom von
        vor war waren was weil wenn wer werden wie wieder wir wird wo zu zum zur äh ähm halt eben mal
        immer nie dann sagte sagen jahre jahr tag tage leute sache dinge"""
    ),
    "pt": _words(
        """a ao aos aquela aquele aqui as até com como da das de dela dele depois do dos e ela elas ele
        eles em entre era eram essa esse está estava estão eu foi foram há isso isto já lhe mais mas me
        mesmo meu minha muito na nas não nem no nos nós num numa o os ou para pela pelo por porque quando
        que quem se sem ser seu sua são só também te tem ter tinha tu tudo um uma uns você vocês né tipo
        então bom assim agora sempre nunca coisa coisas vez vezes anos ano dia dias gente disse pode"""
    ),
    "it": _words(
        """a abbiamo ad agli al alla alle allo anche avere aveva c che chi ci come con cosa da dal dalla
        dei del della delle di dove e è era erano essere fa fare gli ha hanno ho i il in io la le lei
        lo loro lui ma me mi mia mio molto ne nei nel nella no noi non nostro o per perché più poi quando
        quello questa questo se sei si sia sono su sua suo sul sulla ti tra tu tutti tutto un una uno
        vi voi allora cioè ecco insomma beh sempre mai adesso ora cose volta volte anni anno giorno giorni
        gente detto può"""
    ),
}

# Conjunctions, articles and prepositions no sentence ends on in those languages.
FOREIGN_FINAL_DANGLING = _words(
    """y e o de del la el los las un una et le les des du und der die das ein eine di il lo gli da do dos
    que che com con per para por pour mit"""
)
# Articles, possessives and prepositions: in these languages a noun follows one ("la gente",
# "de leña"), a verb seldom does, so a hashtag word must stand after one (or be a name).
FOREIGN_DETERMINERS: dict[str, frozenset[str]] = {
    "es": _words(
        """el la los las un una unos unas mi mis tu tus su sus nuestro nuestra nuestros nuestras este esta
        estos estas ese esa esos esas aquel aquella del al de en con sin sobre"""
    ),
    "fr": _words(
        """le la les l un une des du mon ma mes ton ta tes son sa ses notre nos votre vos leur leurs ce cet
        cette ces de d au aux en sur avec sans"""
    ),
    "pt": _words(
        """o a os as um uma uns umas meu minha meus minhas seu sua seus suas teu tua nosso nossa este esta
        esse essa aquele aquela do da dos das no na nos nas de em num numa com sem"""
    ),
    "it": _words(
        """il lo la i gli le l un uno una mio mia miei mie tuo tua suo sua nostro nostra questo questa quello
        quella del dello della dei degli delle al allo alla ai agli alle nel nello nella nei negli nelle di
        in con su da per senza"""
    ),
}
# Words after which a word with an infinitive ending is a verb ("para ahorrar", "pour allumer").
FOREIGN_INFINITIVE_CONTEXT = _words(
    """para por sin puede pueden quiero quieres voy vas va vamos hay debe debes pour peut peux faut vais veux
    dois doit pode posso vou vai quero deve può posso devo voglio vado"""
)
FOREIGN_INFINITIVE_ENDINGS = {"es": ("ar", "er", "ir"), "pt": ("ar", "er", "ir"), "it": ("are", "ere", "ire"),
                              "fr": ("er", "ir", "re")}  # fmt: skip
# Endings of verb forms (gerunds, imperfects, pasts) and of adverbs, frequent enough in speech to
# keep out of hashtags.
FOREIGN_VERB_ENDINGS = {
    "es": ("ando", "iendo", "aron", "ieron", "aba", "aban", "mente"),
    "pt": ("ando", "endo", "indo", "aram", "eram", "ava", "avam", "mente"),
    "it": ("ando", "endo", "avano", "evano", "mente"),
    "fr": ("aient",),
}
# Adjectives that stand between an article and its noun ("el mismo día", "un petit village").
FOREIGN_ADJECTIVES = _words(
    """mismo misma mismos mismas otro otra otros otras gran grande grandes buen bueno buena mejor peor primer
    primero primera último última nuevo nueva viejo vieja pequeño pequeña petit petite petits grand grande
    bon bonne beau belle vieux vieil vieille jeune nouveau nouvelle premier première dernier dernière même
    autre autres meilleur pire mesmo mesma outro outra bom boa melhor pior primeiro primeira novo nova
    velho velha pequeno pequena stesso stessa altro altra buono buona migliore peggiore primo ultimo ultima
    nuovo nuova vecchio vecchia piccolo piccola"""
)
# Conjunctions that open a clause which cannot stand alone ("..., dass guter Kaffee Zeit braucht").
FOREIGN_SUBORDINATORS = _words(
    """que porque cuando si aunque mientras donde qui parce quand lorsque dass weil wenn als ob obwohl
    während quando se embora enquanto onde che perché mentre dove"""
)
# Words that open a line by pointing back at what was said before it.
FOREIGN_BACK_POINTERS = _words(
    """es eso esto esa ese él ella ellos ellas pero entonces porque también c'est ce ça cela il elle ils
    elles mais parce donc das dies er sie aber weil dann é isso isto ele ela eles elas mas então è questo
    quello lui lei loro ma perché quindi"""
)

# Words that end a thought even though they are stopwords ("no", "nicht"): kept at a line's end.
FOREIGN_FINAL_WORDS = _words("no sí si non oui pas nicht ja nein não sim nunca jamais nie mai")

FOREIGN_NUMBER_WORDS: dict[str, frozenset[str]] = {
    "es": _words(
        """dos tres cuatro cinco seis siete ocho nueve diez once doce veinte treinta cuarenta cincuenta cien
        ciento mil millón millones"""
    ),
    "fr": _words(
        """deux trois quatre cinq six sept huit neuf dix onze douze vingt trente quarante cinquante cent mille
        million millions"""
    ),
    "de": _words("zwei drei vier fünf sechs sieben acht neun zehn elf zwölf zwanzig dreißig hundert tausend millionen"),
    "pt": _words("dois duas três quatro cinco seis sete oito nove dez onze doze vinte trinta cem mil milhão milhões"),
    "it": _words(
        "due tre quattro cinque sei sette otto nove dieci undici dodici venti trenta cento mille milione milioni"
    ),
}

