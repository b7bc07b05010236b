"""The names the demo school's pupils are drawn from: forenames and surnames of the communities
an English secondary school serves, each community's share, and the shorter names pupils go by.
Also used by benchmarks/generate.py for its large synthetic registers.
"""

from __future__ import annotations

from typing import Sequence

# Each community: forenames (girls, boys) and surnames. A surname written
# "A|B" is gendered: A for boys, B for girls (Kowalski|Kowalska, Singh|Kaur).

COMMUNITIES: dict[str, dict[str, Sequence[str]]] = {
    "english": {
        "F": ("Olivia", "Amelia", "Isla", "Ava", "Lily", "Freya", "Ivy", "Florence", "Poppy", "Evie",
              "Grace", "Sophia", "Ella", "Isabella", "Emily", "Charlotte", "Mia", "Jessica", "Phoebe",
              "Ruby", "Daisy", "Matilda", "Harriet", "Eleanor", "Rosie", "Chloe", "Holly", "Megan",
              "Lucy", "Katie", "Abigail", "Elizabeth", "Katherine", "Hannah", "Millie", "Scarlett",
              "Imogen", "Georgia", "Maisie", "Amber", "Bethany", "Lauren", "Jasmine", "Willow", "Alice",
              "Erin", "Zoë", "Joanna", "Josephine", "Esme", "Niamh", "Summer"),
        "M": ("Oliver", "George", "Harry", "Noah", "Jack", "Leo", "Arthur", "Oscar", "Charlie",
              "Freddie", "Alfie", "Theo", "Thomas", "William", "James", "Henry", "Archie", "Joshua",
              "Samuel", "Alexander", "Benjamin", "Daniel", "Jacob", "Ethan", "Max", "Isaac", "Lucas",
              "Edward", "Joseph", "Toby", "Harrison", "Dylan", "Reuben", "Louis", "Finley", "Callum",
              "Kai", "Riley", "Tyler", "Jake", "Matthew", "Christopher", "Nathan", "Jonathan",
              "Nicholas", "Elliot", "Frankie", "Billy", "Ronnie", "Tommy", "Jonah", "Jordan"),
        "S": ("Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies",
              "Robinson", "Wright", "Thompson", "Evans", "Walker", "White", "Roberts", "Green", "Hall",
              "Wood", "Jackson", "Clarke", "Harris", "Lewis", "Hughes", "Turner", "Hill", "Cooper",
              "Ward", "Morris", "Moore", "King", "Baker", "Harrison", "Allen", "Young", "Scott",
              "Mitchell", "Carter", "Phillips", "Parker", "Shaw", "Bennett", "Cook", "Bailey",
              "Marshall", "Holmes", "Fletcher", "Knight", "Barker", "Pearson", "Atkinson", "Lloyd",
              "Fox", "Ashworth", "Whitehead", "Sutcliffe", "Brookes", "Ellis", "Chapman", "Webb",
              "Heald", "Pickering", "Lowe", "Hargreaves", "Dawson", "Johnston", "Joyce", "Smithson",
              "Ormerod", "Nuttall", "Greenwood"),
    },
    "scottish": {
        "F": ("Isla", "Eilidh", "Morven", "Kirsty", "Ailsa", "Catriona", "Iona", "Skye", "Fiona",
              "Mhairi", "Rhona", "Kirsten"),
        "M": ("Callum", "Lewis", "Fraser", "Euan", "Angus", "Ruaridh", "Finlay", "Hamish", "Lachlan",
              "Alasdair", "Struan", "Murray"),
        "S": ("MacDonald", "McLeod", "McKenzie", "Campbell", "Stewart", "Robertson", "Murray",
              "Fraser", "Cameron", "MacLean", "McIntyre", "Ferguson", "Sinclair", "Munro", "Buchanan",
              "McGregor", "Mackay", "Urquhart", "MacAulay"),
    },
    "welsh": {
        "F": ("Cerys", "Ffion", "Seren", "Megan", "Nia", "Lowri", "Carys", "Eleri", "Mali",
              "Angharad", "Bethan", "Gwen", "Rhiannon", "Elin"),
        "M": ("Rhys", "Dafydd", "Ioan", "Gethin", "Owain", "Emyr", "Tomos", "Osian", "Cai",
              "Gruffydd", "Iwan", "Llŷr"),
        "S": ("Jones", "Davies", "Williams", "Evans", "Thomas", "Roberts", "Hughes", "Lewis", "Morgan",
              "Griffiths", "Price", "Pritchard", "Powell", "Vaughan", "Llewellyn", "ap Rhys", "Parry"),
    },
    "irish": {
        "F": ("Siobhán", "Niamh", "Aoife", "Saoirse", "Róisín", "Caoimhe", "Orla", "Clodagh",
              "Aisling", "Síle", "Gráinne", "Ciara", "Sinéad", "Eimear"),
        "M": ("Seán", "Ciarán", "Oisín", "Pádraig", "Cian", "Darragh", "Eoin", "Tadhg", "Cathal",
              "Conor", "Liam", "Rónán", "Fionn"),
        "S": ("O'Brien", "O'Sullivan", "O'Connor", "Murphy", "Kelly", "Byrne", "Ryan", "Walsh",
              "McCarthy", "O'Neill", "Doyle", "Gallagher", "Ó Súilleabháin|Ní Shúilleabháin",
              "Mac Gearailt|Nic Gearailt", "Flanagan", "Quinn"),
    },
    "polish": {
        "F": ("Zuzanna", "Julia", "Maja", "Zofia", "Hanna", "Aleksandra", "Wiktoria", "Natalia",
              "Małgorzata", "Agnieszka", "Katarzyna", "Oliwia"),
        "M": ("Łukasz", "Jakub", "Kacper", "Szymon", "Mateusz", "Filip", "Wojciech", "Michał",
              "Paweł", "Bartosz", "Kamil", "Antoni"),
        "S": ("Nowak", "Kowalski|Kowalska", "Wiśniewski|Wiśniewska", "Wójcik", "Kamiński|Kamińska",
              "Lewandowski|Lewandowska", "Zieliński|Zielińska", "Szymański|Szymańska", "Woźniak",
              "Dąbrowski|Dąbrowska", "Kozłowski|Kozłowska", "Mazur", "Krawczyk"),
    },
    "romanian": {
        "F": ("Ioana", "Maria", "Andreea", "Elena", "Bianca", "Alexandra"),
        "M": ("Andrei", "Ștefan", "Mihai", "Alexandru", "Darius", "Luca"),
        "S": ("Popescu", "Ionescu", "Popa", "Dumitru", "Stan", "Munteanu", "Constantin"),
    },
    "portuguese": {
        "F": ("Beatriz", "Inês", "Leonor", "Mariana", "Matilde", "Carolina"),
        "M": ("João", "Tiago", "Gonçalo", "Rodrigo", "Duarte", "Afonso"),
        "S": ("da Silva", "Santos", "Ferreira", "Pereira", "de Sousa", "Gonçalves", "Rodrigues",
              "Costa"),
    },
    "south_asian": {
        "F": ("Aisha", "Fatima", "Zainab", "Maryam", "Amira", "Hafsa", "Inaya", "Aaliyah", "Anaya",
              "Priya", "Simran", "Jasleen", "Harleen", "Anika", "Nusrat", "Tahmina", "Sadia", "Ayesha",
              "Khadija", "Riya", "Diya", "Noor"),
        "M": ("Mohammed", "Muhammad", "Ibrahim", "Yusuf", "Adam", "Ayaan", "Zayn", "Hamza", "Rayyan",
              "Arjun", "Aarav", "Harjit", "Gurpreet", "Rohan", "Vihaan", "Imran", "Bilal", "Abdullah",
              "Arham", "Rahul", "Tanvir", "Zakariya"),
        "S": ("Khan", "Ahmed", "Hussain", "Ali", "Patel", "Shah", "Iqbal", "Malik", "Akhtar",
              "Rahman", "Chowdhury", "Uddin", "Islam", "Miah|Begum", "Singh|Kaur", "Sharma", "Gill",
              "Sandhu", "Mistry", "Kumar", "Mahmood", "Nawaz", "Siddiqui", "Khan", "Hussain", "Patel"),
    },
    "nigerian": {
        "F": ("Chioma", "Adaeze", "Ngozi", "Folake", "Funmilayo", "Oluwaseun", "Temitope", "Adebola",
              "Amara", "Ifeoma", "Blessing", "Precious", "Chidinma", "Damilola", "Ebunoluwa", "Kemi",
              "Tolulope"),
        "M": ("Chukwuemeka", "Oluwaseun", "Oluwadamilare", "Oluwatobi", "Tunde", "Chinedu", "Obinna",
              "Ayodeji", "Emmanuel", "David", "Daniel", "Samuel", "Femi", "Kayode", "Ikenna",
              "Babatunde", "Olumide"),
        "S": ("Okafor", "Adeyemi", "Okonkwo", "Oyelaran", "Balogun", "Nwosu", "Eze", "Adebayo",
              "Okoro", "Olawale", "Ogunleye", "Akinola", "Obi", "Adewale", "Nwachukwu", "Oladipo",
              "Afolabi"),
    },
    "caribbean": {
        "F": ("Shanice", "Tianna", "Keisha", "Chantelle", "Jada", "Amani", "Aaliyah", "Renée",
              "Nadia", "Imani", "Kiara", "Jamila"),
        "M": ("Jerome", "Tyrone", "Marcus", "Malachi", "Kemar", "Jaden", "Darnell", "Andre",
              "Josiah", "Rashid", "Tristan", "Jermaine"),
        "S": ("Campbell", "Brown", "Williams", "Clarke", "Francis", "Henry", "Grant", "Reid",
              "Thompson", "Gordon", "Morgan", "Bennett", "Samuels", "Reynolds", "Beckford", "Forbes",
              "McKenzie", "Bailey", "Richards", "Lindo", "Spence"),
    },
    "somali": {
        "F": ("Hodan", "Ayan", "Hibo", "Amina", "Sahra", "Nimco", "Fadumo", "Ubah", "Hawa", "Ifrah",
              "Ladan", "Ruqiya"),
        "M": ("Abdirahman", "Mohamed", "Abdullahi", "Ahmed", "Hassan", "Ismail", "Liban", "Mahad",
              "Yasin", "Guled", "Abdi", "Farah"),
        "S": ("Ali", "Hassan", "Mohamed", "Abdi", "Farah", "Warsame", "Jama", "Aden", "Osman", "Nur",
              "Ibrahim", "Yusuf", "Omar", "Hersi", "Egal", "Duale"),
    },
    "turkish": {
        "F": ("Elif", "Zeynep", "Defne", "Ecem", "Ayşe", "Eylül", "Ela", "Büşra", "Merve", "İrem"),
        "M": ("Mehmet", "Mustafa", "Emre", "Yusuf", "Kerem", "Arda", "Burak", "Çağan", "Ömer", "Deniz"),
        "S": ("Yılmaz", "Kaya", "Demir", "Şahin", "Çelik", "Yıldız", "Öztürk", "Aydın", "Arslan",
              "Doğan", "Kılıç", "Aslan"),
    },
    "chinese": {
        "F": ("Mei", "Xinyi", "Yutong", "Jiayi", "Wing", "Hoi Yan", "Zixuan", "Ka Yan"),
        "M": ("Hao", "Yichen", "Junjie", "Zihan", "Ka Ho", "Wei", "Haoran", "Chun Kit"),
        "S": ("Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wong", "Chan", "Lam",
              "Cheung", "Ng", "Lau"),
    },
    "korean": {
        "F": ("Seo-yeon", "Ji-woo", "Ha-eun", "Min-seo", "Soo-ah", "Ye-jin"),
        "M": ("Min-jun", "Seo-jun", "Do-yun", "Ji-ho", "Ha-joon", "Jae-won"),
        "S": ("Kim", "Lee", "Park", "Choi", "Jung", "Kang", "Cho", "Yoon"),
    },
}

# Share of pupils from each community (per cent), and the chance a pupil from
# it speaks English as an additional language.
WEIGHTS = {"english": 49, "scottish": 5, "welsh": 4, "irish": 5, "polish": 5, "romanian": 2,
           "portuguese": 2, "south_asian": 11, "nigerian": 5, "caribbean": 4, "somali": 3,
           "turkish": 2, "chinese": 2, "korean": 1}
EAL_CHANCE = {"english": 0.004, "scottish": 0.0, "welsh": 0.05, "irish": 0.02, "polish": 0.5,
              "romanian": 0.65, "portuguese": 0.55, "south_asian": 0.22, "nigerian": 0.08,
              "caribbean": 0.02, "somali": 0.6, "turkish": 0.5, "chinese": 0.5, "korean": 0.7}

# Forenames that often come with a shorter preferred one.
NICKNAMES = {
    "Alexander": "Alex", "Mohammed": "Mo", "Muhammad": "Mo", "Thomas": "Tom", "William": "Will",
    "Samuel": "Sam", "Benjamin": "Ben", "Christopher": "Chris", "Nicholas": "Nick",
    "Matthew": "Matt", "Jonathan": "Jon", "Joshua": "Josh", "Daniel": "Dan", "Edward": "Ted",
    "Elizabeth": "Libby", "Katherine": "Kate", "Abigail": "Abi", "Isabella": "Bella",
    "Jessica": "Jess", "Eleanor": "Ellie", "Florence": "Flo", "Harriet": "Hattie",
    "Josephine": "Josie", "Aleksandra": "Ola", "Łukasz": "Luke", "Małgorzata": "Gosia",
    "Wojciech": "Wojtek", "Oluwaseun": "Seun", "Oluwadamilare": "Dami", "Chukwuemeka": "Emeka",
    "Oluwatobi": "Tobi", "Funmilayo": "Funmi", "Temitope": "Tope", "Babatunde": "Tunde",
    "Abdirahman": "Abdi", "Abdullahi": "Abdi", "Pádraig": "Paddy", "Alasdair": "Ali",
    "Catriona": "Cat", "Gruffydd": "Gruff", "Ebunoluwa": "Ebun", "Chidinma": "Chi",
    "Alexandru": "Alex", "Zakariya": "Zak", "Gurpreet": "Preet",
}
CHINESE_ENGLISH_NAMES = {"F": ("Amy", "Grace", "Vivian", "Cindy", "Jenny"),
                         "M": ("Kevin", "Jason", "Eric", "Henry", "Alan")}
CHOSEN_NAMES = ("Alex", "Jamie", "Sam", "Robin", "Charlie", "Rowan", "Ash", "Sky")

# A few pupils whose legal names are written in Hangul or Chinese characters,
# each with the romanised name they go by: (legal surname, legal forename, preferred, gender).
CJK_PUPILS = (
    ("김", "민준", "Min-jun", "M"),
    ("이", "서연", "Seo-yeon", "F"),
    ("박", "지호", "Ji-ho", "M"),
    ("王", "子涵", "Zihan", "F"),
    ("陈", "浩然", "Haoran", "M"),
)
