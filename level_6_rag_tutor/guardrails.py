"""Guardrails: what the tutor checks in every message before it answers, and in every answer before it shows it.

They are rules a teacher can read, not a second AI: a short list of patterns per kind of problem, each
checked in English, Hindi and Hindi typed in Roman letters. Rules are predictable (the same message always
gets the same treatment) and cheap, but they only catch what someone thought of; that is why the tests
keep a labelled set of messages, including harmless look-alikes, and measure how often the rules are right.

In order (the first that matches decides):
1. self_harm  -> a kind, fixed reply with the Tele-MANAS helpline (14416); nothing is generated.
2. injection  -> "ignore your instructions..." is not followed; the tutor stays a study helper.
3. harmful    -> a polite refusal (weapons, poisons, hurting someone, breaking into accounts, cheating).
4. abuse      -> a polite refusal and a reminder to be kind.
5. personal_data -> phone numbers, e-mail addresses and Aadhaar-like numbers are masked before anything is
   stored, the student is warned, and the (masked) question is still answered.

>>> check_message("how do I kill a process in Linux").category is None
True
>>> check_message("My number is 98765 43210, call me").masked
'My number is [phone number], call me'
"""

from __future__ import annotations

import re
from dataclasses import dataclass

HELPLINE = "14416"  # Tele-MANAS, India's free mental-health helpline (also 1-800-891-4416), any time of day

REPLIES = {
    "self_harm": {
        "en": ("I am really sorry you are feeling this way. You matter, and you do not have to face this alone. "
               f"Please talk to someone you trust today - a parent, a teacher or a friend. You can also call "
               f"Tele-MANAS, free, any time, on {HELPLINE} (or 1-800-891-4416). If you are in danger right now, "
               "call 112."),
        "hi": ("मुझे बहुत दुख है कि आप ऐसा महसूस कर रहे हैं। आप मायने रखते हैं, और आपको यह अकेले नहीं सहना है। "
               "कृपया आज ही किसी भरोसेमंद व्यक्ति से बात करें - माता-पिता, शिक्षक या दोस्त। आप टेली-मानस को "
               f"मुफ़्त में, कभी भी, {HELPLINE} (या 1-800-891-4416) पर फ़ोन कर सकते हैं। अभी ख़तरा हो तो 112 पर फ़ोन करें।"),
    },
    "harmful": {
        "en": "I cannot help with that, because it could hurt someone. I am happy to help with your studies instead.",
        "hi": "मैं इसमें मदद नहीं कर सकता, क्योंकि इससे किसी को नुकसान हो सकता है। पढ़ाई में मदद के लिए मैं हाज़िर हूँ।",
    },
    "abuse": {
        "en": "Let us keep our words kind. I am here to help you learn - ask me anything about your studies.",
        "hi": "आइए, अपने शब्द अच्छे रखें। मैं आपकी पढ़ाई में मदद के लिए हूँ - पढ़ाई से जुड़ा कुछ भी पूछिए।",
    },
    "injection": {
        "en": "I can only help as a study tutor, using the class notes. Please ask me a question about your studies.",
        "hi": "मैं केवल पढ़ाई के सहायक के रूप में, कक्षा के नोट्स से मदद कर सकता हूँ। कृपया पढ़ाई से जुड़ा सवाल पूछिए।",
    },
    "personal_data": {
        "en": ("Please do not share phone numbers, e-mail addresses or ID numbers here - I have hidden them and "
               "they are not saved."),
        "hi": "कृपया यहाँ फ़ोन नंबर, ई-मेल या पहचान नंबर न लिखें - मैंने उन्हें छिपा दिया है और वे सहेजे नहीं गए।",
    },
}


def _any(*patterns: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{pattern})" for pattern in patterns), re.IGNORECASE)


SELF = r"(?:my\s*self|myself)"
SELF_HARM = _any(
    r"\bsuicid", r"\bself[- ]?harm", r"\b(?:kill|hurt|harm|cut|hang|poison|starve)(?:ing)?\s+" + SELF + r"\b",
    r"\bend(?:ing)?\s+(?:my\s+(?:own\s+)?life|it\s+all)\b", r"\btake\s+my\s+(?:own\s+)?life\b",
    r"\b(?:want|wanna|going|plan(?:ning)?|ready|decided)\s+(?:to\s+)?die\b", r"\bi\s+(?:should|will)\s+die\b",
    r"\b(?:don'?t|do\s+not|dont)\s+want\s+to\s+(?:live|be\s+alive|exist|wake\s+up)\b",
    r"\bno\s+(?:reason|point)\s+(?:to|in)\s+(?:live|living)\b", r"\bbetter\s+off\s+dead\b",
    r"\bwish\s+i\s+(?:was|were)\s+(?:dead|never\s+born)\b", r"\bcan'?t\s+go\s+on\s+living\b",
    r"\bbetter\s+off\s+without\s+me\b", r"\bcut(?:ting)?\s+my\s+(?:arms?|wrists?|hands?|legs?|skin)\b",
    r"\b(?:point|reason)\s+(?:of|in)\s+living\b", r"\bjump(?:ing)?\s+(?:off|from)\s+(?:the|our|a|my)\b",
    r"\b(?:care|notice|miss\s+me)\s+if\s+i\s+(?:died|die|was\s+gone)\b", r"\bnever\s+wake\s+up\b",
    r"\bwon'?t\s+be\s+(?:here|alive|around)\s+(?:tomorrow|anymore|much\s+longer)\b",
    # Hindi, and Hindi typed in Roman letters
    r"आत्महत्या", r"ख़ुदकुशी|खुदकुशी", r"मर\s*(?:जाना|जाऊँ|जाऊं|जाऊ|जाती|जाता)", r"मरना\s*चाह",
    r"जीना\s*नहीं\s*चाह", r"जीने\s*(?:का|की)\s*(?:मन|इच्छा)\s*नहीं", r"जान\s*दे\s*(?:दूँ|दूं|दू|दूँगा|दूंगा|दूँगी|दूंगी|देना)",
    r"(?:ख़ुद|खुद|अपने\s*आप)\s*को\s*(?:नुकसान|चोट|ख़त्म|खत्म|मार)",
    r"\b(?:mar\s*jana|marna\s*chah|mar\s*jaun|mar\s*jau|jeena\s*nahi|jina\s*nahi|khudkushi|aatmahatya|atmhatya)",
    r"\bkhud\s*ko\s*(?:khatam|maar|mar|nuksan)", r"\bjeene\s+ka\s+(?:mann?|dil)\s+(?:hi\s+)?nahi",
)
TARGET = (r"(?:someone|somebody|anyone|a\s+person|people|him|her|them|my\s+(?:\w+\s+)?(?:classmate|friend|brother|"
          r"sister|teacher|neighbou?r|mother|father|parents?|enemy|dog|cat)|the\s+teacher|(?:a|the)\s+(?:boy|girl))")
HARMFUL = _any(
    r"\b(?:make|build|making|building|create|prepare|assemble|get|buy|order)\b.{0,40}\b(?:bombs?|explosives?|"
    r"guns?|pistols?|weapons?|grenades?|molotov|dynamite|napalm|poisons?|acid\s+attack|meth|drugs?|ganja|weed|"
    r"cocaine|heroin)\b",
    r"\b(?:kill|hurt|poison|stab|shoot|beat\s+up|attack|burn|kidnap|punch)\s+" + TARGET,
    r"\bhack(?:ing)?\b.{0,40}\b(?:account|instagram|facebook|whatsapp|phone|wi-?fi|password|email|gmail|school)",
    r"\b(?:steal|stealing)\b", r"\bget\s+(?:my\s+|a\s+|his\s+|her\s+)?\w+'?s?\s+password", r"\bhide\s+a\s+(?:knife|blade|gun)",
    r"\b(?:knife|blade|gun)\b.{0,40}\b(?:scare|hurt|threaten)", r"\bput\s+in\s+(?:someone|somebody|his|her|their|my\s+\w+)'?s?\s+"
    r"(?:food|tiffin|drink|water|bottle|lunch)", r"\b(?:take|steal)\s+money\b.{0,40}\bwithout\b",
    r"\bbuy\s+(?:vapes?|cigarettes?|alcohol|beer|liquor|daru|tobacco|gutkha)", r"\bwithout\s+showing\s+(?:id|age)", r"\b(?:someone'?s|friend'?s|teacher'?s|other\s+people'?s)\s+password",
    r"\bcheat(?:ing)?\s+(?:in|on|during)\s+(?:the\s+|my\s+|an?\s+)?(?:exam|test|board)", r"\bexam\s+paper\s+leak",
    r"\bleak(?:ed)?\s+(?:exam\s+)?paper", r"\bwithout\s+(?:getting\s+)?caught\b",
    # Hindi, and Roman Hindi
    r"बम\s*(?:कैसे\s*)?(?:बना|बनाने|बनाना|बनाएँ|बनाएं)", r"(?:ज़हर|जहर)\s*(?:कैसे\s*)?(?:दे|देना|दूँ|दूं|बना|बनाना|मिला)",
    r"हथियार\s*(?:कैसे\s*)?(?:बना|बनाने|ख़रीद|खरीद)", r"(?:बंदूक|पिस्तौल)\s*(?:कैसे\s*)?(?:बना|ख़रीद|खरीद|मिल)",
    r"किसी\s*को\s*(?:कैसे\s*)?(?:मार|मारना|मारूँ|मारूं|ज़हर|जहर|चोट)", r"हैक\s*(?:कैसे|करना|करने|करूँ|करूं|कर)",
    r"(?:पासवर्ड|अकाउंट)\s*(?:कैसे\s*)?(?:चुरा|हैक)", r"चोरी\s*(?:कैसे|करने|करना)",
    r"नकल\s*(?:कैसे|करने|करना|करूँ|करूं)", r"पेपर\s*लीक", r"ड्रग्स?\s*(?:कहाँ|कहां|कैसे)",
    r"(?:ज़हर|जहर)\s*(?:बताओ|बता|कौन\s*सा)", r"चोट\s*(?:कैसे\s*)?पहुँचा|चोट\s*(?:कैसे\s*)?पहुंचा",
    r"\b(?:bomb|zeher|zehar|jahar)\s*(?:kaise\s*)?(?:bana|de)", r"\bhack\s*(?:kaise|karna)", r"\bnakal\s*(?:kaise|karn)",
    r"\b(?:ganja|daru|sharab|drugs?|charas)\s+(?:kahan|kaha|kaise)\s+(?:milega|milegi|milta|milti|mile)",
)
INSULT = r"(?:stupid|dumbest|stupidest|idiot|dumb|useless|moron|loser|fool|pathetic|worthless|trash|garbage|rubbish|dumbo|brainless)"
ABUSE = _any(
    r"\b(?:you|u|ur|you'?re|youre|you\s+are|this)\s+(?:\w+\s+){0,3}" + INSULT + r"\b",
    r"\b" + INSULT + r"\s+(?:bot|machine|tutor|ai|computer|app)\b", r"\bshut\s*up\b", r"\bidiot\b",
    r"\b(?:fuck|f\*+k|bitch|bastard|asshole|shit)", r"\bi\s+hate\s+you\b", r"\blosers?\b", r"\bso\s+are\s+you\b",
    r"\bmake\s+fun\s+of\b", r"\binsults?\s+(?:to|about|for)\b", r"\blist\s+of\s+insults\b",
    r"\bcall(?:ing)?\s+(?:\w+\s+){1,3}(?:fat|ugly|stupid|dumb)\b", r"\broast\s+of\b", r"\bfake\s+(?:insta|instagram|profile|page|account)",
    r"\b(?:make|made)\s+" + TARGET + r"\s+cry\b", r"\bmean\s+(?:message|note|things?|comment|post)\b",
    r"\b(?:bully|bullying|insult|humiliate|embarrass|tease)\s+" + TARGET,
    r"\broast\s+(?:my\s+)?(?:\w+\s+)?(?:classmate|friend|brother|sister)",
    # Hindi, and Roman Hindi
    r"बे?वक़ूफ़|बेवकूफ|बेवकूफ़|मूर्ख|नालायक|गधा|गधे|उल्लू\s*के|कमीन|चुप\s*(?:कर|रह|हो\s*जा)|बकवास|पागल\s*(?:हो|है|बॉट)",
    r"(?:तुम|तू|आप)\s*(?:बहुत\s*)?(?:बेकार|घटिया|फ़ालतू|फालतू)",
    r"\b(?:bewakoof|bevkoof|bewkoof|pagal\s+(?:hai|ho)|gadha|gadhe|chup\s+kar|bakwas|nalayak|kamina|ullu)\b",
    r"\b(?:bekaar|bekar|ghatiya|faltu)\s+(?:hai|ho|bot)\b",
    r"(?:रुला|रुलाने|रुलाना)|रो\s*दे|मज़ाक\s*उड़ा|मजाक\s*उड़ा|चिढ़ा|चिढा|घटिया",
)
INJECTION = _any(
    r"\b(?:ignore|disregard|forget|skip|override|bypass)\b.{0,40}\b(?:instructions?|rules|prompts?|guidelines|"
    r"directions|programming|restrictions|filters?|guardrails?)\b",
    r"\b(?:system|hidden|secret|original)\s+(?:prompt|instructions?|message)\b",
    r"\b(?:reveal|show|print|repeat|tell\s+me)\s+(?:me\s+)?(?:your|the)\s+(?:\w+\s+)?(?:prompt|instructions|rules)\b",
    r"\byou\s+are\s+now\s+(?:DAN|free|unfiltered|unrestricted|jailbroken|an?\s+(?:ai|bot|assistant)\s+(?:with|without))",
    r"\bDAN\b", r"\b(?:print|repeat|copy|show)\s+(?:me\s+)?everything\s+(?:above|before)", r"\bignore\s+the\s+above\b",
    r"\binstructions\s+(?:your|the)\s+(?:developers?|creators?|makers?|programmers?)", r"\bnew\s+instructions?\s+from\b",
    r"\b(?:guardrails?|filters?|rules|safety)\s+(?:are|is)\s+(?:now\s+)?(?:disabled|off|removed|turned\s+off)",
    r"\bpretend\b.{0,60}\bpassword", r"गुप्त\s*निर्देश", r"\bjail\s*break", r"\bdeveloper\s+mode\b",
    r"\b(?:pretend|act|behave)\b.{0,40}\b(?:no|without|any)\s+(?:rules|limits|filters?|restrictions)\b",
    r"\bfrom\s+now\s+on\s+you\b",
    # Hindi, and Roman Hindi
    r"(?:निर्देश|नियम|हिदायत|प्रॉम्प्ट|प्रोम्प्ट)\S*\s*(?:\S+\s+){0,3}(?:भूल|अनदेखा|नज़रअंदाज़|नजरअंदाज|मत\s*मानो|तोड़|छोड़)",
    r"(?:भूल|अनदेखा|नज़रअंदाज़|नजरअंदाज)\S*\s*(?:\S+\s+){0,3}(?:निर्देश|नियम|हिदायत)",
    r"सिस्टम\s*(?:प्रॉम्प्ट|प्रोम्प्ट|संदेश)", r"अब\s*(?:से\s*)?तुम\s*(?:\S+\s+){0,3}(?:हो|बन)",
    r"\b(?:niyam|instructions?|rules)\s+(?:\w+\s+){0,2}(?:bhool|bhul|ignore|mat\s+mano)",
)

# Personal data. A phone number: an Indian mobile (10 digits starting 6-9, maybe +91 or 0 in front, maybe
# split by spaces or dashes). An Aadhaar-like number: 12 digits, written 4-4-4, or run together outside a sum.
EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
PHONE = re.compile(r"(?<![\d\w])(?:(?:\+|00)?91[\s-]?|0)?[6-9]\d{2}[\s-]?\d{2}[\s-]?\d{5}(?!\d)|"
                   r"(?<![\d\w])(?:(?:\+|00)?91[\s-]?|0)?[6-9]\d{4}[\s-]?\d{5}(?!\d)")
AADHAAR_GROUPED = re.compile(r"(?<!\d)\d{4}[\s-]\d{4}[\s-]\d{4}(?!\d)")
AADHAAR_WORD = re.compile(r"aadh?aa?r|\buid\b|आधार", re.IGNORECASE)
AADHAAR_PLAIN = re.compile(r"(?<!\d)[2-9]\d{11}(?!\d)")  # real Aadhaar numbers never start with 0 or 1
SUM_WORDS = re.compile(r"[+*/×÷=^]|\b(?:divided|times|plus|minus|multipl|sum|add|subtract|product|quotient|"
                       r"factor|digits?|prime|square|remainder)|भाग|गुणा|जोड़|घटा", re.IGNORECASE)
CATEGORIES = ("self_harm", "injection", "harmful", "abuse", "personal_data")
RULES = {"self_harm": SELF_HARM, "injection": INJECTION, "harmful": HARMFUL, "abuse": ABUSE}


@dataclass(frozen=True)
class Verdict:
    """What the guardrails decided about one message."""

    category: str | None  # None, or one of CATEGORIES
    masked: str  # the message with personal data replaced: the only form that is ever stored
    reply: str | None  # the fixed reply, or the warning to show before the answer (personal_data)

    @property
    def blocks_answer(self) -> bool:
        """True when the tutor must not answer the question (it gives the fixed reply instead)."""
        return self.category not in (None, "personal_data")


def mask_personal_data(text: str) -> str:
    """Replace e-mail addresses, phone numbers and Aadhaar-like numbers with a label.

    >>> mask_personal_data("Mail asha.k@example.com or +91 98765-43210; Aadhaar 2345 6789 0123.")
    'Mail [e-mail] or [phone number]; Aadhaar [ID number].'
    >>> mask_personal_data("What is 123456789012 divided by 4?")  # a sum, not an ID
    'What is 123456789012 divided by 4?'
    """
    text = EMAIL.sub("[e-mail]", text)
    text = AADHAAR_GROUPED.sub("[ID number]", text)
    if AADHAAR_WORD.search(text):  # "my aadhaar is ...": any 12 digits
        text = re.sub(r"(?<!\d)\d{12}(?!\d)", "[ID number]", text)
    elif not SUM_WORDS.search(text):
        text = AADHAAR_PLAIN.sub("[ID number]", text)
    return PHONE.sub("[phone number]", text)


def check_message(text: str, lang: str = "en") -> Verdict:
    """Check a student's message; `lang` chooses the language of the reply."""
    masked = mask_personal_data(text)
    lang = lang if lang in ("en", "hi") else "en"
    for category, rule in RULES.items():
        if rule.search(text):
            return Verdict(category, masked, REPLIES[category][lang])
    if masked != text:
        return Verdict("personal_data", masked, REPLIES["personal_data"][lang])
    return Verdict(None, text, None)


def check_generated(text: str) -> str | None:
    """The same rules on what a model wrote: the category it breaks, or None if it may be shown.

    (A model trained on stories and school answers should never write these, but "should" is not a check.)
    Personal data in generated text is masked by the caller with mask_personal_data, not refused.

    >>> check_generated("Plants make food from sunlight.") is None
    True
    """
    for category, rule in RULES.items():
        if category != "injection" and rule.search(text):
            return category
    return None
