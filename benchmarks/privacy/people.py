"""Names (Russian, inflected by hand-written rules; English/international) and addresses.

Pools are split in two: the first half feeds the development corpus, the second half feeds
the held-out corpus, so held-out names were never seen while tuning.
"""

from __future__ import annotations

import random

RU_MALE = ["Иван", "Сергей", "Алексей", "Дмитрий", "Андрей", "Михаил", "Николай", "Павел", "Олег", "Артём", "Игорь", "Максим", "Евгений", "Владимир", "Юрий", "Роман", "Константин", "Виктор", "Григорий", "Никита", "Илья", "Тимур", "Степан", "Леонид", "Фёдор", "Аркадий", "Вадим", "Глеб", "Кирилл", "Семён", "Ярослав", "Борис", "Геннадий", "Руслан", "Эдуард", "Валерий", "Захар", "Ростислав", "Тихон"]
RU_FEMALE = ["Анна", "Мария", "Елена", "Ольга", "Наталья", "Татьяна", "Ирина", "Светлана", "Екатерина", "Юлия", "Ксения", "Дарья", "Алина", "Марина", "Людмила", "Галина", "Вероника", "Полина", "Софья", "Виктория", "Евгения", "Надежда", "Лариса", "Кристина", "Алёна", "Валентина", "Зинаида", "Тамара", "Василиса", "Элеонора", "Агата", "Милана", "Ульяна", "Таисия", "Варвара", "Арина"]
RU_PATR = [("Сергеевич", "Сергеевна"), ("Александрович", "Александровна"), ("Иванович", "Ивановна"),
           ("Петрович", "Петровна"), ("Николаевич", "Николаевна"), ("Владимирович", "Владимировна"),
           ("Дмитриевич", "Дмитриевна"), ("Андреевич", "Андреевна"), ("Олегович", "Олеговна"),
           ("Юрьевич", "Юрьевна"), ("Викторович", "Викторовна"), ("Михайлович", "Михайловна"),
           ("Павлович", "Павловна"), ("Геннадьевич", "Геннадьевна"), ("Анатольевич", "Анатольевна"),
           ("Борисович", "Борисовна"), ("Игоревич", "Игоревна"), ("Евгеньевич", "Евгеньевна")]
RU_SURN = ["Петров", "Иванов", "Смирнов", "Кузнецов", "Попов", "Васильев", "Соколов", "Михайлов", "Новиков", "Фёдоров", "Морозов", "Волков", "Алексеев", "Лебедев", "Семёнов", "Егоров", "Павлов", "Козлов", "Степанов", "Николаев", "Орлов", "Андреев", "Макаров", "Никитин", "Захаров", "Зайцев", "Соловьёв", "Борисов", "Яковлев", "Григорьев", "Романов", "Воробьёв", "Сергеев", "Кузьмин", "Фролов", "Александров", "Дмитриев", "Королёв", "Гусев", "Киселёв", "Ильин", "Максимов", "Поляков", "Сорокин", "Виноградов", "Ковалёв", "Белов", "Медведев", "Антонов", "Тарасов", "Жуков", "Баранов", "Филиппов", "Комаров", "Давыдов", "Беляев", "Герасимов", "Богданов", "Осипов", "Сидоров", "Матвеев", "Титов", "Марков", "Миронов", "Крылов", "Куликов", "Карпов", "Власов", "Мельников", "Денисов", "Гаврилов", "Тихонов", "Казаков", "Афанасьев", "Данилов", "Савельев", "Тимофеев", "Фомин", "Чернов", "Абрамов", "Мартынов", "Ефимов", "Федотов", "Щербаков", "Назаров", "Калинин", "Исаев", "Чернышёв", "Быков", "Маслов", "Родионов", "Коновалов", "Лазарев", "Воронин", "Климов", "Филатов", "Пономарёв", "Голубев", "Кудрявцев", "Прохоров", "Наумов", "Потапов", "Журавлёв", "Овчинников", "Трофимов", "Леонов", "Соболев", "Ермаков", "Колесников", "Гончаров", "Емельянов", "Никифоров", "Грачёв", "Котов", "Гришин", "Ефремов", "Архипов", "Громов", "Кириллов", "Малышев", "Панов", "Моисеев", "Румянцев", "Акимов", "Кондратьев", "Бирюков", "Горбунов", "Анисимов", "Еремеев", "Шубин", "Бобров", "Хохлов", "Шестаков", "Рябов", "Крюков", "Лукин", "Мухин"]
RU_SURN_SKY = ["Ковальский", "Вишневский", "Покровский", "Островский", "Жуковский", "Раевский", "Залесский", "Трубецкой"]
RU_SURN_FIXED = ["Шевченко", "Бондаренко", "Ткаченко", "Коваленко", "Кравченко", "Белых", "Черных", "Долгих", "Гогоберидзе", "Цхакая"]
RU_SURN_YAN = ["Петросян", "Арутюнян", "Саркисян", "Оганесян", "Григорян"]

EN_FIRST = ["James", "Mary", "Robert", "Patricia", "Michael", "Jennifer", "David", "Linda", "Richard", "Elizabeth", "Thomas", "Susan", "Christopher", "Jessica", "Daniel", "Sarah", "Matthew", "Karen", "Anthony", "Nancy", "Andrew", "Lisa", "Joshua", "Betty", "Kevin", "Sandra", "Brian", "Ashley", "Steven", "Kimberly", "Timothy", "Emily", "Jason", "Donna", "Jeffrey", "Michelle", "Ryan", "Laura", "Jacob", "Amanda", "Nicholas", "Melissa", "Eric", "Stephanie", "Jonathan", "Rebecca", "Samuel", "Rachel", "Benjamin", "Olivia", "Ethan", "Sophia", "Liam", "Chloe", "Noah", "Hannah", "Lucas", "Megan", "Owen", "Natalie", "Priya", "Arjun", "Wei", "Mei", "Hiroshi", "Yuki", "Omar", "Fatima", "Carlos", "Lucia", "Sven", "Ingrid", "Kwame", "Ngozi", "Mateo", "Camila", "Dmitri", "Aisha", "Rohan", "Ananya", "Jun", "Siobhan", "Declan", "Aoife", "Giulia", "Matteo", "Lars", "Freya", "Tariq", "Leila", "Hamid", "Soo-jin"]
EN_LAST = ["Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez", "Hernandez", "Lopez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin", "Thompson", "White", "Harris", "Sanchez", "Clark", "Ramirez", "Lewis", "Robinson", "Walker", "Hall", "Allen", "Wright", "Scott", "Torres", "Nguyen", "Hill", "Flores", "Green", "Adams", "Nelson", "Baker", "Campbell", "Mitchell", "Carter", "Roberts", "Phillips", "Evans", "Turner", "Parker", "Collins", "Edwards", "Stewart", "Morris", "Murphy", "Cook", "Rogers", "Morgan", "Peterson", "Cooper", "Reed", "Bailey", "Bell", "Kelly", "Howard", "Ward", "Cox", "Richardson", "Patel", "Sharma", "Chen", "Zhang", "Tanaka", "Yamamoto", "Haddad", "Rahman", "Okafor", "Mensah", "Kowalski", "Novak", "Rossi", "Bianchi", "Schneider", "Fischer", "Dubois", "Laurent", "Eriksson", "Lindqvist", "O'Brien", "McAllister", "Fitzgerald", "Gallagher", "Venkataraman", "Krishnan", "Al-Sayed", "Nakamura", "Petrov", "Volkova", "Okonkwo", "Delacroix", "van der Berg", "de la Cruz"]

RU_CITIES = ["Москва", "Санкт-Петербург", "Казань", "Новосибирск", "Екатеринбург", "Нижний Новгород", "Самара",
             "Краснодар", "Воронеж", "Пермь", "Тюмень", "Томск", "Ярославль", "Иркутск", "Калуга", "Тверь"]
RU_STREETS = ["Ленина", "Пушкина", "Садовая", "Гагарина", "Мира", "Советская", "Лесная", "Школьная",
              "Профсоюзная", "Заводская", "Октябрьская", "Чехова", "Некрасова", "Молодёжная", "Кирова",
              "Береговая", "Луговая", "Первомайская", "Комсомольская", "Строителей", "Маршала Жукова",
              "Академика Королёва", "Красных Зорь", "Большая Садовая"]
EN_STREETS = ["Maple", "Oak", "Cedar", "Elm", "Washington", "Lincoln", "Park", "Lake", "Hill", "Sunset",
              "Highland", "Ridge", "Willow", "Chestnut", "Main", "Church", "Baker", "Victoria", "Mill",
              "Harbor", "Franklin", "Jefferson", "Madison", "Spring"]
EN_CITIES = [("Springfield", "IL"), ("Austin", "TX"), ("Portland", "OR"), ("Denver", "CO"), ("Columbus", "OH"),
             ("Raleigh", "NC"), ("Madison", "WI"), ("Tucson", "AZ"), ("Boise", "ID"), ("Albany", "NY"),
             ("Richmond", "VA"), ("Omaha", "NE"), ("Fresno", "CA"), ("Tampa", "FL"), ("Salem", "MA")]


def half(pool: list[str], split: str) -> list[str]:
    mid = len(pool) // 2
    return pool[:mid] if split == "dev" else pool[mid:]


# ---------------------------------------------------------------- Russian inflection (nom, gen, dat, ins)

_HUSH = "гкхжшчщ"


def _first_forms(name: str, male: bool) -> tuple[str, str, str, str]:
    special = {"Павел": "Павл", "Лев": "Льв", "Пётр": "Петр"}
    if male:
        if name in special:
            s = special[name]
            return name, s + "а", s + "у", s + "ом"
        if name.endswith("ий"):
            s = name[:-2]
            return name, s + "ия", s + "ию", s + "ием"
        if name.endswith("й"):
            s = name[:-1]
            return name, s + "я", s + "ю", s + "ем"
        if name.endswith("а"):
            s = name[:-1]
            return name, s + ("и" if s[-1] in _HUSH else "ы"), s + "е", s + "ой"
        if name.endswith("я"):
            s = name[:-1]
            return name, s + "и", s + "е", s + "ёй"
        if name.endswith("ь"):
            s = name[:-1]
            return name, s + "я", s + "ю", s + "ем"
        return name, name + "а", name + "у", name + "ом"
    if name.endswith("ия"):
        s = name[:-1]
        return name, s + "и", s + "и", s + "ей"
    if name.endswith("я"):
        s = name[:-1]
        return name, s + "и", s + "е", s + "ей"
    s = name[:-1]
    return name, s + ("и" if s[-1] in _HUSH else "ы"), s + "е", s + ("ей" if s[-1] in "жшчщц" else "ой")


def _surname_forms(surname: str, male: bool) -> tuple[str, str, str, str]:
    if surname in RU_SURN_FIXED:
        return (surname,) * 4  # type: ignore[return-value]
    if surname.endswith(("ский", "цкий", "ской")):
        s = surname[:-2]
        if male:
            return surname, s + "ого", s + "ому", s + "им"
        return s + "ая", s + "ой", s + "ой", s + "ой"
    if surname.endswith("ян"):
        if male:
            return surname, surname + "а", surname + "у", surname + "ом"
        return (surname,) * 4  # type: ignore[return-value]
    if male:
        return surname, surname + "а", surname + "у", surname + "ым"
    return surname + "а", surname + "ой", surname + "ой", surname + "ой"


def _patr_forms(patr: str, male: bool) -> tuple[str, str, str, str]:
    if male:
        return patr, patr + "а", patr + "у", patr + "ем"
    s = patr[:-1]
    return patr, s + "ы", s + "е", s + "ой"


class RuPerson:
    def __init__(self, rng: random.Random, split: str) -> None:
        self.male = rng.random() < 0.5
        first = rng.choice(half(RU_MALE if self.male else RU_FEMALE, split))
        pool = half(RU_SURN, split) * 3 + RU_SURN_SKY + RU_SURN_FIXED + RU_SURN_YAN
        surname = rng.choice(pool)
        patr = rng.choice(RU_PATR)[0 if self.male else 1]
        self.first = _first_forms(first, self.male)
        self.last = _surname_forms(surname, self.male)
        self.patr = _patr_forms(patr, self.male)
        self.style = rng.choice(["fio", "io", "if", "fio", "fi", "if"])
        self.latin = translit(first).lower() + rng.choice([".", "_", ""]) + translit(self.last[0]).lower()

    def full(self, case: int = 0) -> str:
        f, i, o = self.last[case], self.first[case], self.patr[case]
        return {"fio": f"{f} {i} {o}", "io": f"{i} {o}", "if": f"{i} {f}", "fi": f"{f} {i}"}[self.style]

    def initials(self, case: int = 0) -> str:
        i, o = self.first[0][0], self.patr[0][0]
        return f"{self.last[case]} {i}. {o}." if case % 2 == 0 else f"{i}. {o}. {self.last[case]}"


class EnPerson:
    def __init__(self, rng: random.Random, split: str) -> None:
        self.first_name = rng.choice(half(EN_FIRST, split))
        self.last_name = rng.choice(half(EN_LAST, split))
        self.middle = rng.choice("ABCDEFGHJKLMRST") if rng.random() < 0.2 else ""
        self.latin = self.first_name.lower().replace("-", "") + rng.choice([".", "_", ""]) + self.last_name.lower().replace(" ", "").replace("'", "")

    def full(self) -> str:
        return f"{self.first_name} {self.middle + '. ' if self.middle else ''}{self.last_name}"


_TR = dict(zip("абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
               ["a", "b", "v", "g", "d", "e", "e", "zh", "z", "i", "y", "k", "l", "m", "n", "o", "p", "r", "s", "t", "u", "f", "kh", "ts", "ch", "sh", "sch", "_", "y", "_", "e", "yu", "ya"], strict=True))


def translit(word: str) -> str:
    return "".join(_TR.get(ch, ch) if ch.lower() == ch else _TR.get(ch.lower(), ch).capitalize() for ch in word).replace("_", "")


def ru_address(rng: random.Random) -> str:
    city = rng.choice(RU_CITIES)
    street = rng.choice(RU_STREETS)
    house, flat = rng.randint(1, 180), rng.randint(1, 350)
    index = f"{rng.randint(101, 692)}{rng.randint(0, 999):03d}"
    return rng.choice([
        f"{index}, г. {city}, ул. {street}, д. {house}, кв. {flat}",
        f"г. {city}, ул. {street}, д. {house}",
        f"{city}, ул. {street}, {house}-{flat}",
        f"г. {city}, пр-т {street}, д. {house}, корп. {rng.randint(1, 5)}, кв. {flat}",
        f"{index}, {city}, улица {street}, дом {house}, квартира {flat}",
        f"г. {city}, {street} пер., д. {house}",
        f"{city}, наб. {street}, {house}, офис {rng.randint(100, 900)}",
    ])


def en_address(rng: random.Random) -> str:
    n = rng.randint(3, 9800)
    street = rng.choice(EN_STREETS)
    kind = rng.choice(["Street", "St.", "Avenue", "Ave", "Road", "Rd", "Drive", "Lane", "Boulevard", "Court"])
    city, state = rng.choice(EN_CITIES)
    z = f"{rng.randint(10000, 99950)}"
    return rng.choice([
        f"{n} {street} {kind}, {city}, {state} {z}",
        f"{n} {street} {kind}, Apt {rng.randint(1, 40)}{rng.choice('ABCD')}, {city}, {state} {z}",
        f"{n} {street} {kind}, {city}",
        f"{rng.randint(1, 300)} {street} {rng.choice(['Street', 'Road', 'Lane'])}, London {rng.choice(['NW1', 'SE15', 'E2', 'W11'])} {rng.randint(1, 9)}{rng.choice('ABDEFGHJ')}{rng.choice('LNPQRSTUWX')}",
    ])
