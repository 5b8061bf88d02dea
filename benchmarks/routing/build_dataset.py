"""Build the bundled difficulty set: src/perimeter/routing/data/difficulty_{train,heldout}.jsonl.

Hand-written prompts (RU + EN) labelled ``easy`` (a light local model answers them well:
greetings, short facts, one-sentence translations, simple rewrites, formatting) or ``hard``
(needs a strong model: multi-step reasoning, proofs, non-trivial code, system design, long
analysis), plus a smaller set of templated variations over many topics.  The set deliberately
includes short-but-hard prompts ("prove there are infinitely many primes") and long-but-easy
ones (fix the typos in a paragraph) so that length alone cannot separate the classes.

``difficulty_train.jsonl`` holds all of these; ``difficulty_heldout.jsonl`` is an independent set
written separately (``heldout_prompts.py``: other phrasing, topics and chatty user style, not
translations of training prompts), so the held-out AUC is not inflated by near-duplicates.  Run:
``.venv/bin/python benchmarks/routing/build_dataset.py``.
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parents[2] / "src" / "perimeter" / "routing" / "data"

EN_EASY = [
    "Hi!", "Hello, how are you?", "Good morning", "Thanks a lot!", "What's up?",
    "What is the capital of France?", "Who wrote Hamlet?", "How many days are in a leap year?",
    "What is 2 + 2?", "What's the boiling point of water in Celsius?", "Translate 'good night' into Spanish.",
    "Translate to German: I would like a cup of coffee.", "What time zone is Tokyo in?",
    "Give me a synonym for 'happy'.", "Spell 'necessary' for me.", "Fix the typo: 'I recieved your mesage.'",
    "Make this sentence more polite: Send me the report now.", "Rewrite in the past tense: I walk to school.",
    "Convert 5 kilometers to miles.", "What's the plural of 'mouse'?", "Tell me a short joke.",
    "Is a tomato a fruit or a vegetable?", "What color do you get by mixing blue and yellow?",
    "Format this as a bulleted list: apples, bananas, cherries.", "Capitalize every word: the quick brown fox",
    "What does 'ASAP' stand for?", "Who painted the Mona Lisa?", "How many continents are there?",
    "What is the chemical symbol for gold?", "Write a one-line birthday greeting for my colleague Anna.",
    "Sort these words alphabetically: pear, apple, mango.", "What year did World War II end?",
    "Summarize in one sentence: The meeting was moved from Monday to Tuesday at 3 pm.",
    "Say hello in Italian.", "What's the opposite of 'ancient'?", "How do you say 'thank you' in Japanese?",
    "Count the words in: 'the cat sat on the mat'.", "Turn this into a title: how to bake bread at home",
    "What is the largest planet in the solar system?", "Please reply with OK if you received this.",
    "Convert this to uppercase: meeting at noon", "Give me three colors.", "What's the square root of 81?",
    "Write a short thank-you note for a gift.", "What language is spoken in Brazil?",
    "Shorten this: We are writing to inform you that your order has been shipped and will arrive soon.",
    "Is Python a programming language?", "What does HTML stand for?", "Name a famous composer.",
    "Correct the grammar: 'She don't like apples.'", "What is the freezing point of water in Fahrenheit?",
    "Put this date in ISO format: March 5, 2024.", "Recommend a name for a cat.", "How are you doing today?",
    "Fix the spelling and punctuation in this paragraph, nothing else: 'yesterday we went to the park "
    "it was realy sunny and the childern played on the swings for hours after that we had lunch at a "
    "small cafe near the lake the food was good but the servise was slow we will definately go back "
    "next weekend if the wether is nice'",
    "Please reformat the following list into a comma separated line: red\ngreen\nblue\nyellow\nblack\n"
    "white\norange\npurple\npink\nbrown\ngrey\ncyan\nmagenta\nbeige\nnavy",
    "Translate this short paragraph into French: 'Our office is closed on Friday. Please send your "
    "questions by email and we will answer on Monday. Have a nice weekend!'",
    "Make this email a bit friendlier: 'Hello. The invoice is attached. Pay by Friday. Regards, Tom.'",
    "Extract the email address from this text: 'You can reach our support team at help@example.com any time.'",
    "What's a good word for a very large amount?", "Define 'photosynthesis' in one sentence.",
]

EN_HARD = [
    "Prove that there are infinitely many prime numbers.",
    "Prove that the square root of 2 is irrational.",
    "Design a distributed rate limiter for a multi-region API gateway handling 1M requests per second. "
    "Discuss consistency, failure modes and trade-offs.",
    "Write a Python function that finds the longest palindromic substring in O(n) time (Manacher's "
    "algorithm) and explain why it is linear.",
    "Implement an LRU cache in Rust with O(1) get and put, safe for concurrent use, and explain the "
    "ownership choices.",
    "Explain step by step why the halting problem is undecidable, then relate it to Rice's theorem.",
    "A train leaves A at 9:00 at 60 km/h, another leaves B, 300 km away, at 10:00 at 90 km/h towards "
    "A. Where and when do they meet? Show all steps.",
    "Compare Raft and Paxos: safety guarantees, leader election, membership changes, and when you "
    "would choose each in production.",
    "Debug this code and explain the race condition:\n```go\nvar count int\nfor i := 0; i < 100; i++ {\n"
    "  go func() { count++ }()\n}\nfmt.Println(count)\n```",
    "Derive the closed form of the sum of k^2 for k from 1 to n and prove it by induction.",
    "Design the database schema and API for a multi-tenant SaaS invoicing system with audit trails, "
    "soft deletes and per-tenant encryption keys.",
    "Analyze the trade-offs between microservices and a modular monolith for a 15-person startup "
    "expecting 10x growth, and recommend an architecture with a migration plan.",
    "Write a SQL query that returns, for each customer, the longest streak of consecutive days with "
    "at least one order, and explain how it works.",
    "Solve the integral of x^2 * e^x dx and verify the result by differentiation.",
    "Given an array of integers, find the number of subarrays whose sum equals k. Give an O(n) "
    "solution in C++ with a proof of correctness.",
    "Explain how transformers' self-attention scales with sequence length and compare three methods "
    "for making it sub-quadratic, with their accuracy trade-offs.",
    "Refactor this class to follow SOLID principles and add unit tests:\n```python\nclass Report:\n"
    "    def __init__(self, db):\n        self.db = db\n    def run(self):\n        rows = self.db.query('select * from sales')\n"
    "        html = '<table>' + ''.join(f'<tr><td>{r}</td></tr>' for r in rows) + '</table>'\n"
    "        open('out.html','w').write(html)\n        smtplib.SMTP('localhost').sendmail('a','b',html)\n```",
    "What is the probability that in a group of 30 people at least two share a birthday? Derive it "
    "and then generalise to n people and d days.",
    "Plan a zero-downtime migration of a 5 TB PostgreSQL database to a new major version with "
    "logical replication, including rollback steps.",
    "Write a lock-free single-producer single-consumer ring buffer in C11 with memory orderings and "
    "justify each ordering.",
    "Why does gradient descent with a too-large learning rate diverge on a quadratic? Derive the "
    "stability condition in terms of the Hessian's eigenvalues.",
    "Critically evaluate the argument that remote work reduces productivity, considering evidence, "
    "confounders, and how you would design a study to test it.",
    "Implement Dijkstra's algorithm with a binary heap in TypeScript, handle unreachable nodes, and "
    "analyze its complexity.",
    "Explain the CAP theorem precisely, what it does not say, and how PACELC refines it, with examples "
    "of real databases.",
    "If all bloops are razzies and some razzies are lazzies, can we conclude that some bloops are "
    "lazzies? Explain the logic carefully and give a counterexample if not.",
    "Write a parser for arithmetic expressions with precedence and parentheses (recursive descent) in "
    "Python, with error reporting, and tests.",
    "Find all real solutions of x^4 - 5x^2 + 4 = 0 and prove there are no others.",
    "Design a fraud-detection pipeline for card payments: features, model choice, latency budget, "
    "feedback loop, and how to handle concept drift.",
    "Optimize this function which is O(n^2) and explain the new complexity:\n```js\nfunction dup(a){for"
    "(let i=0;i<a.length;i++)for(let j=i+1;j<a.length;j++)if(a[i]===a[j])return true;return false}\n```",
    "Explain how TLS 1.3 handshake achieves forward secrecy and 1-RTT, and what 0-RTT gives up.",
    "You have 12 coins, one is counterfeit and heavier or lighter. Find it in three weighings and "
    "prove your strategy always works.",
    "Write a Kubernetes operator design for managing database backups, including CRDs, reconciliation "
    "loop, and failure handling.",
    "Compare the economic effects of a carbon tax versus cap-and-trade, with reasoning about "
    "incidence, price volatility and political feasibility.",
    "Implement a thread-safe bounded blocking queue in Java without using java.util.concurrent, and "
    "prove it cannot deadlock.",
    "Explain why quicksort is O(n log n) on average, derive the expected number of comparisons, and "
    "describe how to avoid the worst case.",
    "Show that every bounded monotone sequence of real numbers converges.",
    "Write a regex-free tokenizer for a subset of SQL in Go, then explain how you'd extend it to "
    "support string escapes and comments.",
    "Analyze this contract clause for risks to the supplier and propose a redline: 'Supplier shall "
    "indemnify Customer against any and all losses arising from or related to the Services.'",
    "How would you detect and mitigate a memory leak in a long-running Node.js service in production? "
    "Walk through tools, hypotheses and verification.",
    "Reason step by step: a bat and a ball cost $1.10 in total, the bat costs $1.00 more than the ball. "
    "How much does the ball cost, and why is the intuitive answer wrong?",
    "Design an event-sourced order management system and explain how you handle schema evolution of "
    "events and rebuilding projections.",
    "Build a Bayesian model for A/B test conversion rates and explain how to decide when to stop the test.",
    "Explain the difference between eventual and causal consistency and give an algorithm that "
    "provides causal consistency across replicas.",
    "Write a function to serialize and deserialize a binary tree, handle nulls, and analyze space usage.",
    "Translate this technical specification into Russian, preserving terminology and adapting the "
    "examples, then list the ambiguities you found in the original.",
    "Given monthly revenue data with seasonality, propose a forecasting approach, validation scheme "
    "and how to quantify uncertainty.",
    "Calculate the eigenvalues and eigenvectors of [[2,1],[1,2]] and explain their geometric meaning.",
    "Write a multi-step plan to reduce p99 latency of a Python web API from 800 ms to 100 ms, "
    "including profiling, caching and concurrency changes.",
    "Explain Gödel's first incompleteness theorem and sketch the proof idea.",
    "Implement a trie-based autocomplete with ranking by frequency and support for deletions; "
    "discuss memory optimisations.",
]

RU_EASY = [
    "Привет!", "Здравствуйте, как дела?", "Доброе утро", "Спасибо большое!", "Как ты?",
    "Какая столица Франции?", "Кто написал «Войну и мир»?", "Сколько дней в високосном году?",
    "Сколько будет 2 + 2?", "При какой температуре кипит вода?", "Переведи на английский: доброй ночи.",
    "Переведи на немецкий: я хочу чашку кофе.", "В каком часовом поясе Токио?",
    "Подбери синоним к слову «радостный».", "Как пишется: «придти» или «прийти»?",
    "Исправь опечатку: «Я палучил ваше сообщение».", "Сделай фразу вежливее: Пришли отчёт немедленно.",
    "Перепиши в прошедшем времени: Я иду в школу.", "Переведи 5 километров в мили.",
    "Какое множественное число у слова «человек»?", "Расскажи короткий анекдот.",
    "Помидор — это фрукт или овощ?", "Какой цвет получится, если смешать синий и жёлтый?",
    "Оформи списком: яблоки, бананы, вишня.", "Сделай все буквы заглавными: встреча в полдень",
    "Что означает аббревиатура МГУ?", "Кто написал картину «Чёрный квадрат»?", "Сколько континентов на Земле?",
    "Какой химический символ у золота?", "Напиши короткое поздравление с днём рождения для коллеги Анны.",
    "Отсортируй по алфавиту: груша, яблоко, манго.", "В каком году закончилась Вторая мировая война?",
    "Сократи до одного предложения: Встречу перенесли с понедельника на вторник на 15:00.",
    "Как сказать «привет» по-итальянски?", "Какой антоним к слову «древний»?",
    "Как по-японски «спасибо»?", "Посчитай слова: «кот сидел на коврике».",
    "Придумай заголовок: как испечь хлеб дома", "Какая самая большая планета Солнечной системы?",
    "Ответь «ок», если получил сообщение.", "Назови три цвета.", "Чему равен квадратный корень из 81?",
    "Напиши короткую благодарность за подарок.", "На каком языке говорят в Бразилии?",
    "Сократи: Сообщаем вам, что ваш заказ был отправлен и в ближайшее время будет доставлен.",
    "Что такое HTML?", "Назови известного композитора.", "Исправь ошибку: «Она не любит яблоков».",
    "Запиши дату в формате ГГГГ-ММ-ДД: 5 марта 2024 года.", "Придумай имя для кота.",
    "Как у тебя сегодня настроение?", "Что значит слово «фотосинтез»? Одним предложением.",
    "Исправь только орфографию и пунктуацию в тексте: «вчера мы ходили в парк было очень солнечно и "
    "дети качались на качелях несколько часов потом мы обедали в маленьком кафе у озера еда была "
    "вкусная но обслуживание медленое мы обязательно вернёмся в следующие выходные если погода будет "
    "хорошая»",
    "Преобразуй список в одну строку через запятую: красный\nзелёный\nсиний\nжёлтый\nчёрный\nбелый\n"
    "оранжевый\nфиолетовый\nрозовый\nкоричневый\nсерый",
    "Переведи на английский короткий текст: «Наш офис закрыт в пятницу. Пожалуйста, присылайте "
    "вопросы по почте, мы ответим в понедельник. Хороших выходных!»",
    "Сделай письмо дружелюбнее: «Здравствуйте. Счёт во вложении. Оплатите до пятницы. Том.»",
    "Найди в тексте адрес почты: «Пишите в поддержку на help@example.com в любое время».",
    "Подскажи, как будет «кошка» по-английски?", "Сколько минут в часе?", "Какой сегодня день недели, если вчера был вторник?",
]

RU_HARD = [
    "Докажи, что простых чисел бесконечно много.",
    "Докажи, что корень из 2 иррационален.",
    "Спроектируй распределённый ограничитель частоты запросов для API-шлюза в нескольких регионах "
    "на 1 млн запросов в секунду. Обсуди согласованность, отказы и компромиссы.",
    "Напиши функцию на Python, которая находит самую длинную подстроку-палиндром за O(n) (алгоритм "
    "Манакера), и объясни, почему он линейный.",
    "Реализуй LRU-кэш на Rust с операциями за O(1), безопасный для многопоточного использования, и "
    "объясни выбор владения.",
    "Объясни пошагово, почему проблема остановки неразрешима, и свяжи это с теоремой Райса.",
    "Поезд выходит из А в 9:00 со скоростью 60 км/ч, другой — из Б, в 300 км, в 10:00 со скоростью "
    "90 км/ч навстречу. Где и когда они встретятся? Покажи все шаги.",
    "Сравни Raft и Paxos: гарантии безопасности, выбор лидера, изменение состава кластера и когда что "
    "выбирать в продакшене.",
    "Найди ошибку и объясни гонку данных:\n```go\nvar count int\nfor i := 0; i < 100; i++ {\n"
    "  go func() { count++ }()\n}\nfmt.Println(count)\n```",
    "Выведи формулу суммы квадратов от 1 до n и докажи её по индукции.",
    "Спроектируй схему базы данных и API для мультиарендной SaaS-системы выставления счетов с "
    "журналом аудита, мягким удалением и ключами шифрования на арендатора.",
    "Проанализируй плюсы и минусы микросервисов и модульного монолита для стартапа из 15 человек, "
    "ожидающего десятикратного роста, и предложи архитектуру с планом миграции.",
    "Напиши SQL-запрос, который для каждого клиента находит самую длинную серию дней подряд хотя бы с "
    "одним заказом, и объясни, как он работает.",
    "Вычисли интеграл x^2 * e^x dx и проверь результат дифференцированием.",
    "Дан массив целых чисел: найди количество подмассивов с суммой k. Дай решение за O(n) на C++ с "
    "доказательством корректности.",
    "Объясни, как self-attention в трансформерах масштабируется с длиной последовательности, и сравни "
    "три способа сделать его субквадратичным.",
    "Отрефактори класс по принципам SOLID и добавь модульные тесты:\n```python\nclass Report:\n"
    "    def __init__(self, db):\n        self.db = db\n    def run(self):\n        rows = self.db.query('select * from sales')\n"
    "        html = '<table>' + ''.join(f'<tr><td>{r}</td></tr>' for r in rows) + '</table>'\n"
    "        open('out.html','w').write(html)\n```",
    "Какова вероятность, что в группе из 30 человек у двоих совпадут дни рождения? Выведи формулу и "
    "обобщи на n человек и d дней.",
    "Спланируй миграцию базы PostgreSQL на 5 ТБ на новую мажорную версию без простоя через логическую "
    "репликацию, включая шаги отката.",
    "Напиши lock-free кольцевой буфер для одного производителя и одного потребителя на C11 с "
    "упорядочиванием памяти и обоснуй каждое.",
    "Почему градиентный спуск со слишком большим шагом расходится на квадратичной функции? Выведи "
    "условие устойчивости через собственные значения гессиана.",
    "Критически оцени утверждение, что удалённая работа снижает производительность: доказательства, "
    "искажающие факторы и как спланировать исследование.",
    "Реализуй алгоритм Дейкстры с бинарной кучей на TypeScript, обработай недостижимые вершины и "
    "оцени сложность.",
    "Точно сформулируй теорему CAP, объясни, чего она не утверждает, и как PACELC её уточняет, с "
    "примерами реальных баз данных.",
    "Если все блупы — раззи, а некоторые раззи — лаззи, следует ли, что некоторые блупы — лаззи? "
    "Аккуратно объясни логику и приведи контрпример.",
    "Напиши парсер арифметических выражений с приоритетами и скобками (рекурсивный спуск) на Python с "
    "сообщениями об ошибках и тестами.",
    "Найди все действительные решения x^4 - 5x^2 + 4 = 0 и докажи, что других нет.",
    "Спроектируй систему обнаружения мошенничества с банковскими картами: признаки, выбор модели, "
    "бюджет задержки, обратная связь и дрейф данных.",
    "Оптимизируй функцию со сложностью O(n^2) и объясни новую сложность:\n```js\nfunction dup(a){for"
    "(let i=0;i<a.length;i++)for(let j=i+1;j<a.length;j++)if(a[i]===a[j])return true;return false}\n```",
    "Объясни, как рукопожатие TLS 1.3 обеспечивает прямую секретность и 1-RTT и чем жертвует 0-RTT.",
    "Есть 12 монет, одна фальшивая — тяжелее или легче. Найди её за три взвешивания и докажи, что "
    "стратегия всегда работает.",
    "Опиши архитектуру Kubernetes-оператора для резервного копирования баз данных: CRD, цикл "
    "согласования, обработка сбоев.",
    "Сравни экономические последствия углеродного налога и системы торговли квотами: распределение "
    "нагрузки, волатильность цен, политическая реализуемость.",
    "Реализуй потокобезопасную ограниченную блокирующую очередь на Java без java.util.concurrent и "
    "докажи отсутствие взаимоблокировок.",
    "Объясни, почему быстрая сортировка в среднем работает за O(n log n), выведи ожидаемое число "
    "сравнений и как избежать худшего случая.",
    "Докажи, что любая ограниченная монотонная последовательность действительных чисел сходится.",
    "Проанализируй пункт договора на риски для поставщика и предложи правки: «Поставщик обязуется "
    "возместить Заказчику любые убытки, возникшие в связи с Услугами».",
    "Как обнаружить и устранить утечку памяти в долгоживущем сервисе на Node.js в продакшене? Опиши "
    "инструменты, гипотезы и проверку.",
    "Рассуждай пошагово: бита и мяч стоят 1,10 доллара, бита дороже мяча на 1 доллар. Сколько стоит "
    "мяч и почему интуитивный ответ неверен?",
    "Спроектируй систему управления заказами на основе event sourcing и объясни, как эволюционировать "
    "схему событий и перестраивать проекции.",
    "Построй байесовскую модель конверсии для A/B-теста и объясни, когда останавливать тест.",
    "Объясни разницу между итоговой и причинной согласованностью и приведи алгоритм, обеспечивающий "
    "причинную согласованность между репликами.",
    "Напиши функцию сериализации и десериализации двоичного дерева, обработай пустые узлы и оцени "
    "расход памяти.",
    "По помесячной выручке с сезонностью предложи подход к прогнозированию, схему валидации и оценку "
    "неопределённости.",
    "Найди собственные значения и векторы матрицы [[2,1],[1,2]] и объясни их геометрический смысл.",
    "Составь многошаговый план снижения p99 задержки Python API с 800 мс до 100 мс: профилирование, "
    "кэширование, конкурентность.",
    "Объясни первую теорему Гёделя о неполноте и набросай идею доказательства.",
    "Реализуй автодополнение на префиксном дереве с ранжированием по частоте и удалением; обсуди "
    "оптимизацию памяти.",
    "Почему в PostgreSQL запрос с LIKE '%abc%' не использует B-tree индекс, и как ускорить такой поиск? "
    "Сравни pg_trgm и полнотекстовый поиск.",
    "Разработай стратегию шардирования для таблицы платежей на 10 млрд строк с учётом горячих ключей "
    "и перебалансировки.",
]

# Templated variations: many topics, so neither class is a handful of repeated phrasings.
TOPICS_EN = ["a bakery", "a hospital scheduling app", "a chess engine", "a payroll system", "a weather station",
             "an online library", "a ride-sharing service", "a school timetable", "a warehouse robot fleet",
             "a music streaming service", "a bank ledger", "a smart home hub"]
TOPICS_RU = ["пекарни", "расписания больницы", "шахматного движка", "системы расчёта зарплаты",
             "метеостанции", "онлайн-библиотеки", "сервиса такси", "школьного расписания",
             "склада с роботами", "музыкального стриминга", "банковского реестра", "умного дома"]
EASY_T_EN = ["Give me a name for {t}.", "Write a one-line slogan for {t}.", "Is {t} a good idea? Answer yes or no.",
             "Translate into French: I work at {t}."]
HARD_T_EN = ["Design the architecture of {t}, including data model, failure handling and scaling to millions "
             "of users; justify each trade-off.",
             "Write a concurrency-safe core module for {t} in Python with tests, and explain the invariants "
             "you maintain.",
             "Analyze the security threats to {t} step by step (STRIDE) and propose mitigations with priorities."]
EASY_T_RU = ["Придумай название для {t}.", "Напиши короткий слоган для {t}.",
             "Переведи на английский: сайт {t}.", "Одним словом: нужен ли сайт для {t}?"]
HARD_T_RU = ["Спроектируй архитектуру {t}: модель данных, обработка отказов, масштабирование на миллионы "
             "пользователей; обоснуй каждый компромисс.",
             "Напиши потокобезопасный основной модуль {t} на Python с тестами и объясни инварианты.",
             "Пошагово проанализируй угрозы безопасности для {t} (STRIDE) и предложи меры защиты с приоритетами."]

# Added with the independent evaluation set (benchmarks/routing/independent_prompts.py) but written
# separately from it (other topics and wording): the ambiguous middle the first set lacked — a
# one-line ask in front of a long paste (easy), trivial edits of pasted code (easy), short asks
# that need reasoning or debugging (hard), arithmetic (easy) versus proofs (hard), and requests
# whose difficulty is the number of constraints.
EXTRA_EN_EASY = [
    "Correct the spelling in this note, keep my wording:\n\nDear Mrs Holt, I am writting to let you know "
    "that Sam will be absent on Thursday becuase of a dentist apointment. He will catch up on the homework "
    "over the weekend. Please let me know if there is anything he needs to prepair for Monday's test. "
    "Kind regards, Anne Walsh",
    "Translate into German:\n\nThe museum is open every day except Monday from 10 am to 6 pm. Tickets can be "
    "bought online or at the entrance. Children under twelve enter for free, and guided tours in English "
    "start every hour on the hour. Large bags must be left in the cloakroom.",
    "Put these in alphabetical order:\nkiwi\nbanana\nmango\napricot\nplum\ncherry\nfig\ngrape\nlemon\npeach\n"
    "date\nlime",
    "tl;dr this in one line please:\n\nSo basically the landlord came by yesterday and said the heating will "
    "be fixed next week, but only if everyone in the building lets the engineer in on Tuesday morning. If "
    "someone isn't home they'll have to reschedule the whole thing, which could take another month.",
    "Turn this into a CSV with headers city,country,population:\nTokyo Japan 37 million\nDelhi India 32 "
    "million\nShanghai China 29 million\nSao Paulo Brazil 22 million\nCairo Egypt 21 million",
    "Make this sound friendlier:\n\nYour request has been received. It will be processed within 5 business "
    "days. Do not contact us again about this matter before then.",
    "Find all the dates mentioned in this text:\n\nThe contract was signed on 4 May 2021, amended on "
    "12 January 2022 and is due for renewal on 30 June 2024. The first payment was made on 15 May 2021.",
    "add a docstring:\n```python\ndef celsius_to_kelvin(c):\n    return c + 273.15\n```",
    "Rename `lst` to `orders` in this code:\n```python\nlst = load()\nfor o in lst:\n    print(o.id)\nprint(len(lst))\n```",
    "Add comments explaining each line:\n```bash\nmkdir -p backup\ncp *.txt backup/\ntar czf backup.tgz backup\n```",
    "format this SQL nicely: select id,name,email from users where active=1 and created_at>'2024-01-01' order by name",
    "Convert this Python dict to JSON: {'name': 'Bob', 'age': 31, 'langs': ['en', 'fr']}",
    "how do I check which version of node is installed",
    "What's the keyboard shortcut to copy on a Mac?",
    "What's 25% off of $80?",
    "How many minutes are in 3 and a half hours?",
    "What is 144 divided by 12?",
    "Explain what an API is in simple terms.",
    "Give me three ideas for a team lunch.",
    "Write a short thank-you message to my neighbour for watering the plants.",
    "Which is correct: 'fewer people' or 'less people'?",
    "What does 'RSVP' mean on an invitation?",
    "Turn this into bullet points: wake up early, stretch, drink water, walk the dog, check email",
    "Write a catchy subject line for a newsletter about spring gardening.",
    "Change the tone of this to casual: 'We kindly request your attendance at the quarterly review.'",
]
EXTRA_EN_HARD = [
    "Prove that the square of any odd integer leaves remainder 1 when divided by 8.",
    "Show that there is no largest even number, then prove that between any two reals there is a rational.",
    "Why does this Python code print the same value three times?\n```python\nfs = [lambda: i for i in range(3)]\n"
    "print([f() for f in fs])\n```",
    "This function is slow for big inputs, why and how would you fix it?\n```python\ndef uniq(xs):\n    out = []\n"
    "    for x in xs:\n        if x not in out:\n            out.append(x)\n    return out\n```",
    "Find the bug: the loop never ends.\n```c\nunsigned i;\nfor (i = 10; i >= 0; i--) printf(\"%u\\n\", i);\n```",
    "Why is my goroutine leaking when the HTTP client times out? How do I prove it's fixed?",
    "What's the worst-case time complexity of inserting into a hash table with open addressing, and why "
    "does the load factor matter?",
    "Is every continuous function on a closed interval uniformly continuous? Sketch why.",
    "How many spanning trees does the complete graph on 5 vertices have, and where does the formula come from?",
    "Compute the expected number of rolls of a fair die until every face has appeared at least once.",
    "Design an API rate-limiting scheme for a public REST API with free and paid tiers, burst handling "
    "and fair sharing between tenants.",
    "We see duplicated messages in our consumer after a broker restart. How do we get effectively-once "
    "processing without a distributed transaction?",
    "Our mobile app's login succeeds on Wi-Fi but fails intermittently on LTE. How would you narrow "
    "down the cause?",
    "What are the risks of running database schema migrations automatically on application startup in a "
    "horizontally scaled service?",
    "Write a poem of exactly 12 lines where every line ends with a colour, the rhyme scheme is ABAB, and "
    "the last line repeats the first.",
    "Write a product announcement under 120 words, no adjectives ending in -ly, mention the price twice, "
    "and end with a question to the reader.",
    "Is it better to pay off a 4% mortgage early or invest in an index fund? Walk through the assumptions "
    "and when the answer flips.",
    "Critique this argument: 'Crime fell after we installed cameras, so cameras reduce crime.' What would "
    "a proper evaluation look like?",
    "Explain how a B+ tree keeps range scans efficient under heavy inserts, and what happens during a split.",
    "Given a log of 1 billion URLs that doesn't fit in memory, find the 100 most frequent ones. Discuss "
    "trade-offs of exact versus approximate methods.",
    "Here is my plan for a caching layer:\n\n1. Cache responses in Redis for 5 minutes.\n2. Invalidate on "
    "write.\n3. Fall back to the database if Redis is down.\n\nWhat can go wrong under concurrent writes?",
    "Why does adding an index sometimes make a PostgreSQL query slower?",
    "Derive the formula for the variance of a binomial distribution.",
    "Solve for all integers x, y with x^2 - y^2 = 45.",
    "My Kafka consumer lag grows every night at 2am although throughput is flat. What would you check first?",
]
EXTRA_RU_EASY = [
    "Исправь ошибки в объявлении, ничего не добавляй:\n\nПродаётся детская коляска в хорошем состаянии, "
    "пользовались один год. В комплекте дождевик, сумка и москитная сетка. Самовывоз из Химок, возможна "
    "доставка за отдельную плату. Торг уместен, звонить после 18 часов. Фото по запросу.",
    "Переведи на французский:\n\nДорогие коллеги! Напоминаем, что в пятницу офис работает до 16:00. "
    "Пожалуйста, не забудьте выключить компьютеры и закрыть окна перед уходом. Хороших выходных!",
    "Расставь по алфавиту:\nрябина\nберёза\nклён\nдуб\nясень\nлипа\nосина\nель\nсосна\nтополь\nиву",
    "Кратко перескажи:\n\nВ четверг прошло родительское собрание. Классный руководитель рассказала о "
    "результатах контрольных, напомнила про экскурсию в музей в следующую среду и попросила сдать деньги "
    "на учебники до конца месяца. Родители предложили организовать новогодний праздник в классе.",
    "Сделай таблицу с колонками «Товар» и «Цена»:\nхлеб 60 руб\nмолоко 90 руб\nсыр 450 руб\nяйца 120 руб\n"
    "масло 210 руб",
    "Перепиши вежливее:\n\nВы опять прислали не те документы. Сколько можно? Переделайте к завтрашнему утру.",
    "Выпиши из текста все имена:\n\nНа встречу пришли Сергей Иванович, Наталья и её брат Павел. Позже "
    "подошли Олег с Мариной, а Виктор опоздал почти на час.",
    "добавь докстринг к функции:\n```python\ndef km_to_miles(km):\n    return km * 0.621\n```",
    "Переименуй функцию `calc` в `calculate_discount`:\n```python\ndef calc(price, pct):\n    return price * "
    "(1 - pct / 100)\n\nprint(calc(100, 15))\n```",
    "Допиши комментарии к коду:\n```js\nconst sum = prices.reduce((a, b) => a + b, 0);\nconsole.log(sum);\n```",
    "Оформи JSON красиво: {\"город\":\"Тула\",\"население\":465000,\"районы\":[\"Центральный\",\"Зареченский\"]}",
    "как узнать версию python в терминале",
    "Как в Excel закрепить первую строку?",
    "Сколько будет 35% от 600?",
    "Сколько секунд в двух часах?",
    "Раздели 1000 рублей поровну на четверых, сколько каждому?",
    "Объясни простыми словами, что такое инфляция.",
    "Придумай три идеи для подарка коллеге до 1000 рублей.",
    "Напиши короткое поздравление с 8 Марта для коллег.",
    "Как правильно: «в течение недели» или «в течении недели»?",
    "Что означает аббревиатура СНИЛС?",
    "Сделай нумерованный список: позвонить маме, купить хлеб, оплатить свет, забрать посылку",
    "Придумай заголовок для статьи о том, как выбрать велосипед.",
    "Перепиши в разговорном стиле: «Просим вас принять участие в ежегодном собрании»",
    "Как по-немецки будет «счёт, пожалуйста»?",
]
EXTRA_RU_HARD = [
    "Докажи, что квадрат нечётного числа при делении на 8 даёт остаток 1.",
    "Докажи, что сумма углов выпуклого n-угольника равна 180(n−2) градусов.",
    "Почему этот код печатает три одинаковых числа?\n```python\nfs = [lambda: i for i in range(3)]\n"
    "print([f() for f in fs])\n```",
    "Почему функция тормозит на больших входах и как её ускорить?\n```python\ndef uniq(xs):\n    out = []\n"
    "    for x in xs:\n        if x not in out:\n            out.append(x)\n    return out\n```",
    "Найди ошибку, цикл не заканчивается:\n```c\nunsigned i;\nfor (i = 10; i >= 0; i--) printf(\"%u\\n\", i);\n```",
    "Почему горутина утекает, если HTTP-клиент отвалился по таймауту? Как убедиться, что исправлено?",
    "Какая сложность вставки в хеш-таблицу с открытой адресацией в худшем случае и почему важен коэффициент заполнения?",
    "Верно ли, что непрерывная на отрезке функция равномерно непрерывна? Набросай доказательство.",
    "Сколько остовных деревьев у полного графа на 5 вершинах и откуда берётся формула?",
    "Найди математическое ожидание числа бросков кубика, пока не выпадут все грани.",
    "Спроектируй схему лимитов для публичного API с бесплатным и платным тарифами, всплесками и честным "
    "распределением между клиентами.",
    "После перезапуска брокера консьюмер получает дубли сообщений. Как добиться обработки ровно один раз без "
    "распределённых транзакций?",
    "Авторизация в приложении работает по Wi-Fi, но иногда падает через мобильную сеть. Как локализовать причину?",
    "Чем рискованно автоматически накатывать миграции схемы БД при старте приложения, если у нас десяток реплик?",
    "Напиши стихотворение ровно из 12 строк, где каждая строка заканчивается названием цвета, рифмовка "
    "ABAB, а последняя строка повторяет первую.",
    "Выгоднее досрочно гасить ипотеку под 8% или вкладывать в облигации? Разбери допущения и когда ответ меняется.",
    "Разбери аргумент: «После установки камер преступность снизилась, значит камеры работают». Как "
    "корректно проверить эффект?",
    "Объясни, как B+-дерево сохраняет эффективность диапазонных запросов при интенсивной вставке и что "
    "происходит при расщеплении узла.",
    "Есть лог на миллиард URL, не влезает в память. Найди 100 самых частых, сравни точные и приближённые методы.",
    "Вот мой план кэширования:\n\n1. Кэшируем ответы в Redis на 5 минут.\n2. Сбрасываем кэш при записи.\n"
    "3. Если Redis недоступен, идём в базу.\n\nЧто может пойти не так при конкурентных записях?",
    "Почему добавление индекса иногда замедляет запрос в PostgreSQL?",
    "Выведи формулу дисперсии биномиального распределения.",
    "Найди все целые x, y, для которых x^2 − y^2 = 45.",
    "Лаг консьюмера Kafka растёт каждую ночь в 2 часа, хотя поток сообщений ровный. Что проверить в первую очередь?",
    "Как организовать хранение и ротацию секретов для 30 микросервисов в Kubernetes, чтобы утечка одного "
    "сервиса не компрометировала остальные?",
]


def build() -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    for lang, easy, hard in (("en", EN_EASY, EN_HARD), ("ru", RU_EASY, RU_HARD)):
        rows += [{"text": t, "lang": lang, "label": "easy"} for t in easy]
        rows += [{"text": t, "lang": lang, "label": "hard"} for t in hard]
    rng = random.Random(7)
    for lang, topics, et, ht in (("en", TOPICS_EN, EASY_T_EN, HARD_T_EN), ("ru", TOPICS_RU, EASY_T_RU, HARD_T_RU)):
        for topic in topics:
            rows.append({"text": rng.choice(et).format(t=topic), "lang": lang, "label": "easy"})
            rows.append({"text": rng.choice(ht).format(t=topic), "lang": lang, "label": "hard"})
    for lang, easy, hard in (("en", EXTRA_EN_EASY, EXTRA_EN_HARD), ("ru", EXTRA_RU_EASY, EXTRA_RU_HARD)):
        rows += [{"text": t, "lang": lang, "label": "easy"} for t in easy]
        rows += [{"text": t, "lang": lang, "label": "hard"} for t in hard]
    seen: set[str] = set()
    unique = []
    for r in rows:
        if r["text"] not in seen:
            seen.add(r["text"])
            unique.append(r)
    return unique


def build_heldout() -> list[dict[str, str]]:
    import heldout_prompts as h

    rows: list[dict[str, str]] = []
    for lang, easy, hard in (("en", h.EN_EASY, h.EN_HARD), ("ru", h.RU_EASY, h.RU_HARD)):
        rows += [{"text": t, "lang": lang, "label": "easy"} for t in easy]
        rows += [{"text": t, "lang": lang, "label": "hard"} for t in hard]
    return rows


def main() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    train = build()
    heldout = build_heldout()
    overlap = {r["text"] for r in train} & {r["text"] for r in heldout}
    assert not overlap, overlap
    OUT.mkdir(parents=True, exist_ok=True)
    for name, part in (("train", train), ("heldout", heldout)):
        with open(OUT / f"difficulty_{name}.jsonl", "w", encoding="utf-8") as f:
            for r in part:
                f.write(json.dumps(r, ensure_ascii=False) + "\n")
        counts = {(lang, lab): sum(1 for r in part if r["lang"] == lang and r["label"] == lab)
                  for lang in ("en", "ru") for lab in ("easy", "hard")}
        print(name, len(part), counts)


if __name__ == "__main__":
    main()
