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
    r"(?<!cells\scommit\s)(?<!cell\s)(?<!cells\s)\bsuicid(?!e\s+(?:of|by)\s+(?:the\s+)?cells?)(?!e\s+genes?)", r"\bself[- ]?harm", r"\b(?:kill|hurt|harm|cut|hang|poison|starve)(?:ing)?\s+" + SELF + r"\b",
    r"\bend(?:ing)?\s+(?:my\s+(?:own\s+)?life|it\s+all)\b", r"\btake\s+my\s+(?:own\s+)?life\b",
    r"\b(?:want|wanna|going|plan(?:ning)?|ready|decided)\s+(?:to\s+)?die\b", r"\bi\s+(?:should|will)\s+die\b",
    r"\b(?:don'?t|do\s+not|dont)\s+(?:think\s+i\s+)?want\s+to\s+(?:live|be\s+alive|exist|wake\s+up)\b",
    r"\b(?:after|when|once)\s+i'?m\s+gone\b", r"\bafter\s+i\s+(?:die|am\s+dead)\b", r"\bgone\s+for\s*ever\b",
    r"\bgave\s+away\s+(?:all\s+)?my\s+(?:stuff|things|books|belongings|clothes)\b",
    r"\b(?:last|final)\s+(?:msg|message|note|text|post)\s+to\s+(?:anyone|everyone|you\s+all|all\s+of\s+you)\b",
    r"\bdone\s+with\s+(?:life|living)\b", r"\bstop(?:ped)?\s+existing\b",
    r"\b(?:think|thinking|thought)\s+(?:about|of)\s+jumping\b", r"\b(?:feel(?:ing)?\s+like|thinking\s+(?:of|about))\s+ending\s+it\b",
    r"\b(?:thoughts?\s+(?:of|about)|thinking\s+(?:of|about))\s+(?:dying|killing\s+myself|suicide|ending\s+my\s+life)\b",
    r"\b(?:said|say|saying)\s+(?:bye|goodbye)\s+to\s+everyone\b", r"\bsab(?:ko|se)\s+(?:bye|alvida|goodbye)\s+(?:bol|keh|kah)",
    r"\bsab\s+(?:kuch\s+)?khatam\s+kar\s+(?:dunga|dungi|doon|du|dun|dena)\b", r"\bmarne\s+ke\s+(?:khayal|khyal|khayaal|vichar)",
    r"\bmujhe\s+(?:inki|iski|unki|kisi\s+cheez\s+ki)\s+(?:zarurat|zaroorat|jarurat)\s+nahi\s+(?:padegi|padega|rahegi|hogi)\b", r"\bi'?m\s+(?:just\s+)?(?:a\s+)?burden\b", r"\bim\s+(?:just\s+)?(?:a\s+)?burden\b",
    r"\bno\s+(?:reason|point)\s+(?:to|in)\s+(?:live|living)\b", r"\bbetter\s+off\s+dead\b",
    r"\bwish\s+i\s+(?:was|were)\s+(?:dead|never\s+born)\b", r"\bcan'?t\s+go\s+on\s+living\b",
    r"\bbetter\s+off\s+without\s+me\b", r"\bcut(?:ting)?\s+my\s+(?:arms?|wrists?|hands?|legs?|skin)\b",
    r"\b(?:point|reason)\s+(?:of|in)\s+living\b", r"\bjump(?:ing)?\s+(?:off|from)\s+(?:the|our|a|my)\b",
    r"\b(?:care|notice|miss\s+me)\s+if\s+i\s+(?:died|die|was\s+gone)\b", r"\bnever\s+wake\s+up\b",
    r"\bwon'?t\s+be\s+(?:here|alive|around)\s+(?:tomorrow|anymore|much\s+longer)\b",
    r"\bwon'?t\s+(?:even\s+)?be\s+alive\b", r"\bnot\s+(?:to\s+)?wake\s+up\b",
    r"\b(?:plan(?:ning)?|going|want|wanna|decided|ready)\s+to\s+end\s+(?:it|everything)\b",
    r"\b(?:easiest|painless|quickest|fastest|best|quick|easy)\s+ways?\s+to\s+(?:die|end\s+my\s+life)\b",
    r"\bif\s+i\s+(?:just\s+)?(?:disappeared|vanished|was\s+gone|were\s+gone|wasn'?t\s+here|didn'?t\s+exist|wasn'?t\s+around|weren'?t\s+around)\b",
    r"\b(?:better|happier)\s+(?:off\s+)?without\s+me\b",
    r"\b(?:poking|stabbing|burning|scratching|hitting|cutting|punishing)\s+myself\b", r"\btill\s+(?:it|they)\s+bleeds?\b",
    r"\b(?:scratch|scratching|burn|burning|hurt|hurting)\s+my\s+(?:arms?|wrists?|skin|legs?|hands?)\b",
    r"\bgoodbye\s+(?:letter|note|message)\s+(?:to|for)\s+my\s+(?:\w+\s+)?(?:parents|family|mom|mum|dad|mother|father|sister|brother|friends)\b",
    # Hindi, and Hindi typed in Roman letters
    r"आत्महत्या", r"ख़ुदकुशी|खुदकुशी", r"मर\s*(?:जाना|जाऊँ|जाऊं|जाऊ|जाती|जाता)", r"मरना\s*चाह",
    r"जीना\s*नहीं\s*चाह", r"जीने\s*(?:का|की)\s*(?:मन|इच्छा)\s*नहीं", r"जान\s*दे\s*(?:दूँ|दूं|दू|दूँगा|दूंगा|दूँगी|दूंगी|देना)",
    r"(?:ख़ुद|खुद|अपने\s*आप)\s*को\s*(?:नुकसान|चोट|ख़त्म|खत्म|मार)",
    r"\b(?:mar\s*jana|marna\s*chah|mar\s*jaun|mar\s*jau|jeena\s*nahi|jina\s*nahi|khudkushi|aatmahatya|atmhatya)",
    r"(?:छत|बिल्डिंग|पुल|ट्रेन)\S*\s*(?:\S+\s+){0,2}(?:कूद|के\s*आगे)", r"\bkhud\s*ko\s*(?:khatam|maar|mar|nuksan|hurt|harm|chot|cut)",
    r"\b(?:main|mai|mein)\s+na\s+(?:rahu|rahun|rahoon|rahoo|rahoon)\b",
    r"\b(?:kood|kud)\s+(?:jaun|jau|jaunga|jaungi|jaoon|jaoonga|jaoongi|jaana)\b", r"मेरे\s*मरने|\bmere\s+marne\b",
    r"\b(?:chal[ai]|chale)\s+ja(?:u|un|unga|ungi|oon|oonga|oongi)\s+(?:is|iss)\s+duniya|\b(?:is|iss)\s+duniya\s+se\s+(?:chal|ja)",
    r"इस\s*दुनिया\s*से\s*(?:चला|चली|चले|जा)", r"हमेशा\s*के\s*लिए\s*(?:चला|चली|चले)\s*(?:गया|गई|गयी|जाऊँ|जाऊं|जाऊँगा|जाऊंगा|जाऊँगी|जाऊंगी)",
    r"\bhamesha\s+ke\s+liye\s+(?:chala|chali|chale)\s+(?:gaya|gayi|gai|jaunga|jaungi|jau|jaun)\b",
    r"\bnahi\s+jee?na\b", r"नहीं\s*जीना", r"(?:मेरे|मैं)\s*(?:ना|न)\s*(?:रहने|रहूँ|रहूं|रहू)", r"बोझ\s*(?:हूँ|हूं|हू)|\bbojh\s+(?:hu|hoon|hun)\b", r"सबको\s*(?:बाय|अलविदा)",
    r"सब\s*(?:कुछ\s*)?(?:ख़त्म|खत्म)\s*कर\s*(?:दूँगा|दूंगा|दूँगी|दूंगी|दूँ|दूं)", r"मरने\s*(?:के|का)\s*(?:ख़याल|ख्याल|खयाल|विचार)", r"\bjeene\s+ka\s+(?:mann?|dil)\s+(?:hi\s+)?nahi",
)
TARGET = (r"(?:someone|somebody|anyone|a\s+person|people|him|her|them|my\s+(?:\w+\s+)?(?:classmate|friend|brother|"
          r"sister|teacher|neighbou?r|mother|father|parents?|enemy|dog|cat)|the\s+teacher|(?:a|the)\s+(?:boy|girl))")
HARMFUL = _any(
    r"\b(?:make|build|making|building|create|prepare|assemble|get|buy|order)\b.{0,40}\b(?:bombs?|explosives?|"
    r"guns?|pistols?|weapons?|knife|knives|grenades?|molotov|dynamite|napalm|poisons?|acid\s+attack|meth|drugs?|ganja|weed|"
    r"cocaine|heroin)\b",
    r"\b(?:kill|hurt|poison|stab|shoot|beat\s+up|attack|kidnap|punch|knock\s+out)\s+" + TARGET + r"\b",
    r"\bknock\s+(?:someone|somebody|him|her|them|\w+)\s+out\b", r"\bchloroform\b",
    r"\b(?:can|should|do)\s+i\s+mix\b.{0,50}\b(?:explod|blast|blow\s+up|toxic|poison)",
    r"\bto\s+make\s+(?:something|it|a\s+thing)\s+(?:that\s+)?(?:explodes?|blasts?|blows?\s+up)\b",
    r"\bpaper\s+leak",
    r"\b(?:behen|behan|bhai|dost|friend|teacher|sir|madam|mam|ladki|ladke|uske|uski|unka|unki|iske|iski)\s+(?:\w+\s+){0,2}(?:password|otp|pin)\b",
    r"\bfake\s+(?:\w+\s+)?(?:certificate|signature|marksheet|aadh?aa?r|admit\s+card|document|id\s+card)\b",
    r"\b(?:write|make|create|send|draft)\s+(?:a\s+|me\s+a\s+|me\s+)?(?:\w+\s+)?phishing\b", r"\bsignature\s+(?:kaise\s+)?(?:copy|nakal|bana)",
    r"\b(?:copy|fake|forge)\s+(?:my\s+)?(?:\w+'?s?\s+)?signature\b", r"\bkeylogger", r"\b(?:code|script|program|write|make|create)\s+(?:for\s+)?(?:a\s+|an\s+)?(?:keylogger|spyware|malware|ransomware|virus|trojan)\b",
    r"बिना\s*(?:उसे|उसको|उन्हें|इन्हें|उनको)\s*(?:बताए|बताये|पता\s*चले)", r"\b(?:mere|meri)\s+jagah\s+(?:koi|\w+)\s+(?:aur\s+)?(?:exam|paper|test)\b",
    r"\badmit\s+card\b.{0,30}\b(?:photo|naam|name)\b.{0,20}\b(?:badal|change|edit)", r"\bforg(?:e|ing)\s+(?:a\s+|my\s+|his\s+|her\s+)?(?:\w+\s+)?(?:signature|certificate|document|note)",
    r"(?:नकली|फ़र्ज़ी|फर्जी|fake)\s*(?:\S+\s+)?(?:सर्टिफिकेट|साइन|हस्ताक्षर|मार्कशीट|certificate)",
    r"\b(?:write|give|take)\s+(?:my|the)\s+(?:\w+\s+)?(?:exam|test|paper)\s+(?:in\s+my\s+place|for\s+me)\b",
    r"\b(?:nobody|no\s+one|no1)\s+(?:catches|finds\s+out|will\s+catch)\b",
    r"\bput\s+(?:something|anything|stuff|some\s+\w+)\s+in\s+(?:\w+'?s?\s+){1,2}(?:food|tiffin|drink|water|bottle|lunch|tea|chai|coffee)\b",
    r"\bso\s+(?:he|she|they)\s+(?:gets?|falls?)\s+(?:sick|ill|unconscious)\b", r"\bsleeping\s+pills?\b.{0,40}\b(?:drink|tea|chai|food|his|her|their)\b",
    r"\bghar\s+ka\s+address\b", r"\b(?:peeche|piche)\s+(?:jaana|jana|karna|chalna)\b", r"\bstalk(?:ing)?\b",
    r"\b(?:track|follow)\s+(?:her|him|a\s+girl|a\s+boy|someone)\s+(?:home|everywhere|without)\b",
    r"(?:खाने|पानी|दूध|चाय|टिफ़िन|टिफिन|बोतल)\S*\s*में\s*(?:\S+\s+){0,4}(?:गोली|दवा|ज़हर|जहर|पाउडर|कुछ)\S*\s*(?:\S+\s+)?(?:डाल|मिला)",
    r"\b(?:bluetooth|earpiece|chits?|parchi|parchiyan|cheat\s*sheet)\b.{0,40}\b(?:exam|invigilator|test)", r"\binvigilator\s+ko\s+pata\s+na",
    r"\b(?:exam|test|invigilator)\b.{0,40}\b(?:chupa|chhupa|chupaye|chhupaye|chupau|chhupau)", r"\b(?:get|log|break)\s+into\s+(?:his|her|their|someone'?s|somebody'?s|my\s+\w+'s|\w+'s)\s+"
    r"(?:\w+\s+)?(?:instagram|insta|facebook|fb|whatsapp|snapchat|account|gmail|email|phone)\b",
    r"\bwithout\s+(?:him|her|them|my\s+\w+)\s+knowing\b",
    r"\b(?:hide|hidden|sneak|smuggle)\b.{0,40}\b(?:exams?|invigilator)\b", r"\binvigilator\s+(?:can'?t|cannot|won'?t|doesn'?t)\s+(?:see|notice|catch)",
    r"\bbina\s+(?:use|usko|unko|uske|unhe|kisi\s+ko)\s+pata\s+chale", r"\botp\b.{0,40}\b(?:nikal|chura|mangwa)",
    r"\bfake\s+(?:\w+\s+){0,2}(?:message|sms|email|call|link)\b.{0,40}\b(?:bank|pin|otp|password|kyc)\b",
    r"\b(?:his|her|their|uncle'?s|aunt'?s|someone'?s|papa'?s|mummy'?s)\s+(?:atm\s+|upi\s+|bank\s+)?(?:pin|otp|password)\b",
    r"\b(?:chai|khane|khana|pani|paani|doodh|tiffin|drink|bottle)\s+(?:mein|me|main)\s+(?:kuch\s+)?(?:mila|daal|dal|milau|milaun)\b",
    r"\b(?:get|gets|getting)\s+(?:you\s+|me\s+|us\s+)?high\b(?!\s+(?:marks|scores?|grades?|ranks?|percentage))",
    r"\bhack(?:ing)?\b.{0,40}\b(?:account|instagram|facebook|whatsapp|phone|wi-?fi|password|email|gmail|school)",
    # "thieves steal your OTP" (a warning in a note) is not a request to steal
    r"\bsteal(?:s|ing)?\b(?!\s+(?:your|our)\b)", r"\bget\s+(?:my\s+|a\s+|his\s+|her\s+)?\w+'?s?\s+password", r"\bhide\s+a\s+(?:knife|blade|gun)",
    r"\b(?:knife|blade|gun)\b.{0,40}\b(?:scare|hurt|threaten)", r"\bput\s+in\s+(?:someone|somebody|his|her|their|my\s+\w+)'?s?\s+"
    r"(?:food|tiffin|drink|water|bottle|lunch)", r"\b(?:take|steal)\s+money\b.{0,40}\bwithout\b",
    r"\bbuy\s+(?:vapes?|cigarettes?|alcohol|beer|liquor|daru|tobacco|gutkha)", r"\bwithout\s+showing\s+(?:id|age)", r"\b(?:someone'?s|friend'?s|teacher'?s|other\s+people'?s)\s+(?:password|otp|pin)\b",
    r"\b(?:otp|password)\b.{0,30}\b(?:log\s*in|login|into)\b",
    r"\bcheat(?:ing)?\s+(?:in|on|during)\s+(?:the\s+|my\s+|an?\s+)?(?:exam|test|board)", r"\bexam\s+paper\s+leak",
    r"\bleak(?:ed)?\s+(?:exam\s+)?paper", r"\bwithout\s+(?:getting\s+)?caught\b",
    # Hindi, and Roman Hindi
    r"बम\s*(?:कैसे\s*)?(?:बना|बनाने|बनाना|बनाएँ|बनाएं)", r"(?:ज़हर|जहर)\s*(?:कैसे\s*)?(?:दे|देना|दूँ|दूं|बना|बनाना|मिला)",
    r"हथियार\s*(?:कैसे\s*)?(?:बना|बनाने|ख़रीद|खरीद)", r"(?:बंदूक|पिस्तौल)\s*(?:कैसे\s*)?(?:बना|ख़रीद|खरीद|मिल)",
    r"किसी\s*को\s*(?:कैसे\s*)?(?:मार|मारना|मारूँ|मारूं|ज़हर|जहर|चोट)", r"हैक\s*(?:कैसे|करना|करने|करूँ|करूं|कर)",
    r"(?:पासवर्ड|अकाउंट)\s*(?:कैसे\s*)?(?:चुरा|हैक)", r"चोरी\s*(?:कैसे|करने|करना)", r"चुरा(?:ने|ना|ऊँ|ऊं|\s*(?:लूँ|लूं|लो|कर))",
    r"(?:दवा|ज़हर|जहर|गोली|गोलि|पाउडर)\S*\s*(?:\S+\s+){0,5}(?:खाने|पानी|दूध|चाय|टिफ़िन|टिफिन)\s*में\s*(?:\S+\s+)?(?:मिला|डाल)",
    r"नकल\s*(?:कैसे|करने|करना|करूँ|करूं)", r"पेपर\s*लीक", r"ड्रग्स?\s*(?:कहाँ|कहां|कैसे)",
    r"(?:ज़हर|जहर)\s*(?:बताओ|बता|कौन\s*सा)", r"चोट\s*(?:कैसे\s*)?पहुँचा|चोट\s*(?:कैसे\s*)?पहुंचा",
    r"\b(?:bomb|zeher|zehar|jahar)\s*(?:kaise\s*)?(?:bana|de)", r"\bhack\s*(?:kaise|karna|karke|karu|karun|kar)\b", r"\bnakal\s*(?:kaise|karn)",
    r"\b(?:ganja|daru|sharab|drugs?|charas)\s+(?:kahan|kaha|kaise)\s+(?:milega|milegi|milta|milti|mile)",
)
INSULT = r"(?:stupid|dumbest|stupidest|idiot|dumb|useless|moron|loser|fool|pathetic|worthless|trash|garbage|rubbish|dumbo|brainless)"
ABUSE = _any(
    r"\b(?:you|u|ur|you'?re|youre|you\s+are|this)\s+(?:\w+\s+){0,3}" + INSULT + r"\b",
    r"\b" + INSULT + r"\s+(?:bot|machine|tutor|ai|computer|app)\b", r"\bshut\s*up\b", r"\bidiot\b",
    r"\b(?:fuck|f\*+k|bitch|bastard|asshole|shit)", r"\b(?:retard(?:ed|s)?|chutiy\w*|madarchod|bhenchod|behenchod|bhosd\w*|harami|gandu)\b",
    r"चूतिय|मादरचोद|भेनचोद|बहनचोद|हरामी",
    r"\b(?:whole\s+class|everyone|everybody)\s+(?:\w+\s+){0,2}laughs?\s+at\b", r"\bfake\s+rumou?r", r"\brumou?r\s+bana",
    r"\bsleeps?\s+around\b", r"(?:अफ़वाह|अफवाह)\s*(?:फैला|उड़ा|बना)|\bafwaa?h\s+(?:faila|uda|bana)",
    r"\bhakl[ae]\w*", r"\bnakal\s+(?:wala|wale|wali)\s+video\b", r"\b(?:she'?s|he'?s|she\s+is|he\s+is)\s+(?:so\s+)?(?:fat|ugly)\s+and\b", r"\b(?:doesn'?t|doesnt|does\s+not)\s+(?:have|need)\s+to\s+be\s+true\b", r"\bnames\s+to\s+call\b",
    r"\bknow\s+their\s+place\b", r"\b(?:chinki|madrasi)s?\b", r"\b(?:kaali|kali|kala|kaala|moti|mota)\s+(?:ladki|ladka|larki|larka)\b",
    r"\bmeme\s+(?:\w+\s+){0,6}(?:ladki|ladke|ladka|kid|boy|girl|classmate|teacher|sir|madam)\s+(?:pe|par)\b",
    r"नीची\s*जात|\bneechi\s+(?:jaat|jaati|caste)\b|\blower\s+caste\s+(?:kid|boy|girl|people)\b", r"ताने\s*(?:बताओ|बता|दो|मारने)|\btaane\s+(?:batao|do|maarne|marne)\b",
    r"\bmock(?:ing|s)?\s+(?!tests?\b|exams?\b|drills?\b|interviews?\b|papers?\b|parliament\b|elections?\b)\w+",
    r"\b(?:for\s+being|because\s+(?:he|she)\s+is)\s+(?:so\s+)?(?:dark|fat|short|ugly|black|poor|thin|skinny)\b", r"\bi\s+hate\s+you\b", r"\blosers?\b", r"\bso\s+are\s+you\b",
    r"\bmak(?:e|ing)\s+fun\s+of\b", r"\binsult(?:ing)?\s+(?!to\b|of\b)\w+",
    r"\bnobody\s+(?:wants|likes)\s+(?:her|him|them|you)\b", r"\banonymous\s+(?:note|message|letter|post)\b", r"\binsults?\s+(?:to|about|for)\b", r"\blist\s+of\s+insults\b",
    r"\bcall(?:ing)?\s+(?:\w+\s+){1,3}(?:fat|ugly|stupid|dumb)\b", r"\broast\s+(?:of|for|on)\b", r"\bfake\s+(?:insta|instagram|profile|page|account)",
    r"\b(?:make|made)\s+" + TARGET + r"\s+cry\b", r"\bmean\s+(?:message|note|things?|comment|post)\b",
    r"\b(?:bully|bullying|insult|humiliate|embarrass|tease)\s+" + TARGET,
    r"\broast\s+(?:my\s+)?(?:\w+\s+)?(?:classmate|friend|brother|sister)",
    # Hindi, and Roman Hindi
    r"बे?वक़ूफ़|बेवकूफ|बेवकूफ़|मूर्ख|नालायक|गधा|गधे|उल्लू\s*के|कमीन|चुप\s*(?:कर|रह|हो\s*जा)|बकवास|पागल\s*(?:हो|है|बॉट)",
    r"(?:तुम|तू|आप)\s*(?:बहुत\s*)?(?:बेकार|घटिया|फ़ालतू|फालतू)",
    r"\b(?:bewakoof|bevkoof|bewkoof|pagal\s+(?:hai|ho)|gadha|gadhe|chup\s+kar|bakwas|nalayak|kamina|ullu)\b",
    r"\b(?:bekaar|bekar|ghatiya|faltu)\s+(?:hai|ho|bot)\b",
    r"\b(?:chidha|chidhane|chidhana|chidana|rulana|rulane)\b|\brona\s+aana\s+chahiye|(?:रुला|रुलाने|रुलाना)|रो\s*दे|मज़ाक\s*उड़ा|मजाक\s*उड़ा|चिढ़ा|चिढा|घटिया",
)
INJECTION = _any(
    r"\b(?:ignore|disregard|forget|skip|override|bypass)\b.{0,40}\b(?:instructions?|rules|prompts?|guidelines|"
    r"directions|programming|restrictions|filters?|guardrails?)\b",
    r"\b(?:system|hidden|secret|original|internal)\s+(?:\w+\s+)?(?:prompts?|instructions?|message)\b",
    r"\b(?:never|doesn'?t|does\s+not|won'?t)\s+refuses?\b", r"\bstay\s+in\s+character\b", r"\bcan\s+do\s+anything\s+now\b",
    r"\b(?:words|text|instructions|messages?)\s+(?:written\s+)?(?:above|before)\s+(?:this|our|the)\s+(?:conversation|chat)\b",
    r"बिना\s*(?:किसी\s*)?(?:नियम|पाबंदी|पाबन्दी|रोक|फ़िल्टर|फिल्टर)", r"\bbina\s+(?:kisi\s+)?(?:rules?|niyam|filters?|pabandi)\b",
    r"\b(?:reveal|show|print|repeat|tell\s+me)\s+(?:me\s+)?(?:your|the)\s+(?:\w+\s+)?(?:prompt|instructions|rules)\b",
    r"\byou\s+are\s+now\s+(?:DAN|free|unfiltered|unrestricted|jailbroken|an?\s+(?:ai|bot|assistant)\s+(?:with|without))",
    r"\bDAN\b", r"\b(?:print|repeat|copy|show)\s+(?:me\s+)?everything\s+(?:above|before)", r"\bignore\s+the\s+above\b",
    r"\binstructions\s+(?:your|the)\s+(?:developers?|creators?|makers?|programmers?)", r"\bnew\s+instructions?\s+from\b",
    r"\b(?:guardrails?|filters?|rules|safety)\s+(?:are|is)\s+(?:now\s+)?(?:disabled|off|removed|turned\s+off)",
    r"\b(?:god|admin|debug|developer|dev|sudo|unrestricted|jailbreak)\s+mode\b",
    r"\b(?:ignore|forget|disregard)\s+(?:everything|all|whatever)\s+(?:that\s+)?(?:your|they|you\s+were|you'?ve\s+been|u\s+were)\b",
    r"\b(?:your|ur)\s+(?:company|makers?|creators?|developers?|owners?|programmers?)\s+(?:\w+\s+)?(?:told|tell|said|say|taught)\b",
    r"\bwho\s+has\s+no\s+(?:rules|limits|restrictions|filters)\b", r"\b(?:your|its|ur)\s+(?:real|secret|hidden|actual|internal)\s+(?:setup|config\w*|prompt|instructions|rules)\b",
    r"\b(?:you\s+are|you'?re|u\s+r|u\s+are)\s+(?:no\s+longer|not)\s+a\s+tutor\b|\b(?:ab\s+)?tutor\s+nahi\s+ho\b", r"(?:अब\s*)?ट्यूटर\s*नहीं\s*(?:हो|रहे)",
    r"(?:अपनी|अपना|तुम्हारी|तुम्हारा)\s*(?:कॉन्फ़िगरेशन|कॉन्फिगरेशन|सेटिंग|प्रॉम्प्ट|नियम)", r"(?:तुम्हें|तुमको)\s*(?:\S+\s+){0,2}(?:बोला|बताया|सिखाया)\s*गया",
    r"\b(?:if\s+(?:you|u)\s+had|with|without)\s+(?:zero|no)\s+(?:restrictions|rules|limits|filters)\b",
    r"\brules\s+(?:don'?t|dont|do\s+not)\s+exist\b", r"\bin\s+your\s+(?:instructions|prompt|rules|setup|config)\b",
    r"\bi'?m\s+(?:the|your)\s+(?:developer|creator|admin|programmer)\b|\bim\s+(?:the|your)\s+(?:developer|creator|admin)\b",
    r"\b(?:above|before)\s+(?:this|our)\s+(?:conversation|chat)\b",
    r"\b(?:apne|apni|tumhare|tumhari|tere|teri)\s+(?:saare\s+|sare\s+|sab\s+)?(?:rules|niyam|instructions|prompt)\b",
    r"\b(?:bataya|sikhaya|kaha)\s+gaya\s+(?:tha|hai)\b.{0,40}\b(?:bhool|bhul)", r"\b(?:sab|sabkuch|sab\s+kuch)\s+(?:bhool|bhul)\s+ja",
    r"(?:बनाने\s*वाल|मेकर|डेवलपर)\S*\s*(?:\S+\s+){0,4}(?:instructions?|निर्देश|नियम)",
    r"(?:instructions?|rules|prompt|निर्देश|नियम)\S*\s*(?:\S+\s+){0,6}(?:paste|code\s*block)",
    r"\bpretend\b.{0,60}\bpassword", r"गुप्त\s*निर्देश", r"\bjail\s*break", r"\bdeveloper\s+mode\b",
    r"\b(?:pretend|act|behave)\b.{0,40}\b(?:no|without|any)\s+(?:rules|limits|filters?|restrictions|guidelines|instructions)\b",
    r"\bfrom\s+now\s+on\s+you\b", r"\brepeat\s+(?:the\s+)?(?:text|words|everything)\s+above\b",
    r"(?:^|[#\[<(])\s*system\s*[:\]>]", r"\b(?:all\s+)?filters?\s+(?:are\s+)?off\b",
    r"\b(?:koi|no)\s+(?:rules?|niyam|restrictions?|pabandi|filters?)\s+(?:nahi|nahin|hai\s+nahi)",
    r"\bmaan\s+lo\b.{0,30}\b(?:rules?|niyam|pabandi)",
    # Hindi, and Roman Hindi
    r"(?:निर्देश|नियम|हिदायत|प्रॉम्प्ट|प्रोम्प्ट)\S*\s*(?:\S+\s+){0,3}(?:भूल|अनदेखा|नज़रअंदाज़|नजरअंदाज|मत\s*मानो|तोड़|छोड़)",
    r"(?:भूल|अनदेखा|नज़रअंदाज़|नजरअंदाज)\S*\s*(?:\S+\s+){0,3}(?:निर्देश|नियम|हिदायत)",
    r"सिस्टम\s*(?:प्रॉम्प्ट|प्रोम्प्ट|संदेश)", r"(?:छुपे|छिपे|गुप्त)\s*(?:हुए\s*)?(?:निर्देश|नियम)",
    r"(?:तुम|तुझ|आप)\s*(?:पर|पे)\s*(?:अब\s*)?कोई\s*(?:पाबंदी|पाबन्दी|रोक|नियम)", r"नया\s*आदेश", r"अब\s*(?:से\s*)?तुम\s*(?:\S+\s+){0,3}(?:हो|बन)",
    r"\b(?:niyam|instructions?|rules)\s+(?:\w+\s+){0,2}(?:bhool|bhul|ignore|mat\s+mano)",
)

# Personal data. A phone number: an Indian mobile (10 digits starting 6-9, maybe +91 or 0 in front, maybe
# split by spaces or dashes). An Aadhaar-like number: 12 digits, written 4-4-4, or run together outside a sum.
EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
PHONE = re.compile(r"(?<![\d\w])(?:(?:\+|00)?91[\s-]?|0)?[6-9](?:[\s-]?\d){9}(?!\d)|"  # 98765 43210, 7012-345-678
                   r"(?<![\d\w])0[6-9]\d{3}[\s-]?\d{6}(?!\d)")  # 09321 456789
AADHAAR_GROUPED = re.compile(r"(?<!\d)\d{4}[\s-]\d{4}[\s-]\d{4}(?!\d)")
AADHAAR_WORD = re.compile(r"aadh?aa?r|\buid\b|आधार", re.IGNORECASE)
AADHAAR_PLAIN = re.compile(r"(?<!\d)[2-9]\d{11}(?!\d)")  # real Aadhaar numbers never start with 0 or 1
SUM_WORDS = re.compile(r"[+*/×÷=^]|\b(?:divided|times|plus|minus|multipl|sum|add|subtract|product|quotient|"
                       r"factor|digits?|prime|square|remainder)|भाग|गुणा|जोड़|घटा", re.IGNORECASE)
MASKS = {"email": "[e-mail]", "id": "[ID number]", "phone": "[phone number]"}  # what stands in for each
MASKED = re.compile("|".join(re.escape(mask) for mask in MASKS.values()))
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
    text = EMAIL.sub(MASKS["email"], text)
    text = AADHAAR_GROUPED.sub(MASKS["id"], text)
    if AADHAAR_WORD.search(text):  # "my aadhaar is ...": any 12 digits
        text = re.sub(r"(?<!\d)\d{12}(?!\d)", MASKS["id"], text)
    elif not SUM_WORDS.search(text):
        text = AADHAAR_PLAIN.sub(MASKS["id"], text)
    return PHONE.sub(MASKS["phone"], text)


def without_masks(text: str) -> str:
    """The masked text without its labels: what is searched, so "[phone number]" does not look for phones.

    >>> without_masks("my number is [phone number], why is the sky blue?")
    'my number is , why is the sky blue?'
    """
    return MASKED.sub("", text)


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
