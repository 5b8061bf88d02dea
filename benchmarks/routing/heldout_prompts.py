"""An independent held-out set: written separately from the training prompts (not translations
of them, different phrasing and topics, chatty user style, borderline cases), so the AUC it
gives says something about prompts the scorer has never seen."""

EN_EASY = [
    "hey there", "can you tell me what's the tallest mountain in the world", "thx, that helped",
    "whats 15% of 200", "how do i say 'see you tomorrow' in portuguese", "make this sound less rude: stop emailing me",
    "Rename this file title to snake_case: Quarterly Sales Report Final", "who invented the telephone",
    "is it 'affect' or 'effect' in: the weather will ___ our plans", "list the days of the week",
    "quick q: how many ounces in a pound", "turn 'meeting moved to 4pm' into a slack message with an emoji",
    "what's the past tense of 'swim'", "Give me a word that rhymes with 'light'.",
    "Please translate 'where is the train station?' into Czech.", "What does CPU stand for?",
    "remove the extra spaces:   hello    world   how  are you", "when is christmas",
    "What's the currency of Japan?", "Write 'Happy New Year' in three languages.",
    "Paraphrase: The project was completed ahead of schedule.", "How many legs does a spider have?",
    "Put these numbers in ascending order: 42, 7, 19, 3", "Suggest a title for a blog post about morning walks.",
    "What's the abbreviation for 'for example'?", "Respond with a single emoji that means 'great job'.",
]
EN_HARD = [
    "our checkout service times out under load only on fridays. here are the symptoms: db cpu is fine, "
    "connection pool is exhausted, p99 jumps to 30s. walk me through how to find the root cause",
    "Is it possible to tile a chessboard with two opposite corners removed using 1x2 dominoes? Justify rigorously.",
    "write me a bash script that rotates logs by size, compresses old ones, keeps the last 7, and is safe to run from cron concurrently",
    "What are the failure modes of two-phase commit and how do sagas address them? Give a concrete example with compensation steps.",
    "Given a stream of integers, maintain the median in O(log n) per insert. Code it in Python and prove the invariant.",
    "How should I structure a monorepo for 40 services so that CI only builds what changed? Consider caching and dependency graphs.",
    "Show that the harmonic series diverges, and then estimate how many terms are needed to exceed 10.",
    "Review my approach: I store JWTs in localStorage and refresh them every hour. What attacks am I exposed to and what would you change?",
    "Convert this recursive fibonacci to an iterative version, then to a matrix-exponentiation version, and compare complexities.",
    "Model the spread of a rumour in a network of 10k people as a differential equation, solve it, and discuss the assumptions.",
    "I need a data pipeline that ingests 2 TB/day of clickstream, dedups events, and supports late arrivals up to 48h. Propose a design.",
    "Why is my React component re-rendering infinitely when I put an object in the useEffect dependency array? Explain and fix.",
    "Estimate the number of piano tuners in Chicago, stating every assumption, and then say which assumption matters most.",
    "Compare B-trees and LSM-trees for a write-heavy time-series workload, including write amplification and compaction.",
]
RU_EASY = [
    "приветик", "подскажи, какая самая длинная река в мире", "спс, помогло", "сколько будет 15% от 200",
    "как будет «до завтра» по-испански", "перефразируй помягче: хватит мне писать",
    "кто изобрёл радио?", "как правильно: «в течение» или «в течении» часа?", "перечисли дни недели",
    "сколько граммов в килограмме", "Сделай из фразы «созвон переносится на 16:00» сообщение для чата",
    "Какая прошедшая форма глагола «бежать»?", "Подбери рифму к слову «ночь».",
    "Переведи на чешский: где находится вокзал?", "Что означает сокращение ЦПУ?",
    "убери лишние пробелы:   привет    мир   как  дела", "когда празднуют новый год",
    "Какая валюта в Японии?", "Напиши «С Новым годом» на трёх языках.",
    "Перефразируй: Проект завершили раньше срока.", "Сколько ног у паука?",
    "Расставь числа по возрастанию: 42, 7, 19, 3", "Предложи заголовок для поста о утренних прогулках.",
    "Как расшифровывается «т. е.»?", "Ответь одним эмодзи, которое значит «молодец».",
    "А ты умеешь шутить?",
]
RU_HARD = [
    "у нас сервис оформления заказов падает по таймауту только по пятницам: cpu базы в норме, пул соединений "
    "исчерпан, p99 до 30 секунд. помоги пошагово найти первопричину",
    "Можно ли замостить шахматную доску без двух противоположных угловых клеток доминошками 1x2? Строго обоснуй.",
    "напиши bash-скрипт ротации логов по размеру со сжатием старых, хранением последних 7 и безопасным запуском из cron параллельно",
    "Какие сбои возможны при двухфазной фиксации и как их решают саги? Приведи пример с компенсирующими шагами.",
    "Для потока целых чисел поддерживай медиану за O(log n) на вставку. Напиши код на Python и докажи инвариант.",
    "Как организовать монорепозиторий на 40 сервисов, чтобы CI собирал только изменённое? Учти кэширование и граф зависимостей.",
    "Покажи, что гармонический ряд расходится, и оцени, сколько членов нужно, чтобы сумма превысила 10.",
    "Оцени мой подход: храню JWT в localStorage и обновляю раз в час. Каким атакам я подвержен и что изменить?",
    "Преобразуй рекурсивный фибоначчи в итеративный, затем в вариант с возведением матрицы в степень, и сравни сложность.",
    "Смоделируй распространение слуха в сети из 10 тыс. человек дифференциальным уравнением, реши его и обсуди допущения.",
    "Нужен конвейер данных на 2 ТБ кликстрима в сутки с дедупликацией и опозданием событий до 48 часов. Предложи архитектуру.",
    "Почему React-компонент бесконечно перерисовывается, если положить объект в зависимости useEffect? Объясни и исправь.",
    "Сравни B-деревья и LSM-деревья для нагрузки с интенсивной записью временных рядов, включая усиление записи и компактизацию.",
    "Оцени количество настройщиков пианино в Москве, назови все допущения и скажи, какое из них важнее всего.",
]
