#!/usr/bin/env python3
"""Writes samples/ and samples/world/ (deterministic: GUIDs are uuid5 of a
fixed namespace, so re-running gives the same files).  The XLSX sample is
written by tests/bench/../scripts make_samples_xlsx (libxlsxwriter), see
samples/README.md.  Run from the project root: python3 scripts/make_samples.py
"""
import os
import uuid

NS = uuid.UUID("6c1f7a5e-2b1d-4c7e-9a43-0d5e8b9f1a22")
def g(*parts):
    return str(uuid.uuid5(NS, "/".join(str(p) for p in parts)))

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
S = os.path.join(TOP, "samples")
W = os.path.join(S, "world")
os.makedirs(os.path.join(W, "nsi"), exist_ok=True)

def snils(d9):
    s = sum(int(c) * (9 - i) for i, c in enumerate(d9))
    c = s if s < 100 else (0 if s in (100, 101) else s % 101)
    c = 0 if c == 100 else c
    return "%s-%s-%s %02d" % (d9[:3], d9[3:6], d9[6:], c)

def write(path, rows, sep=";", enc="utf-8", bom=False, nl="\n"):
    with open(path, "w", encoding=enc, newline="") as f:
        if bom:
            f.write("\ufeff")
        for r in rows:
            f.write(sep.join(r) + nl)

# ---- НСИ ---------------------------------------------------------------
nsi = {
    2: [("1", "Холодная вода"), ("2", "Горячая вода"), ("3", "Электрическая энергия"),
        ("4", "Газ"), ("5", "Тепловая энергия"), ("8", "Сточные воды"),
        ("6", "Бытовой газ в баллонах"), ("7", "Твердое топливо")],
    22: [("1", "Смена собственника"), ("2", "Расторжение договора"), ("3", "Снос дома"),
         ("4", "Объединение лицевых счетов"), ("5", "Ошибка ввода"), ("6", "Изменение реквизитов лицевого счета")],
    95: [("1", "Паспорт гражданина Российской Федерации"), ("2", "Свидетельство о рождении"),
         ("3", "Удостоверение личности военнослужащего"), ("4", "Заграничный паспорт"),
         ("5", "Паспорт иностранного гражданина"), ("6", "Вид на жительство"),
         ("7", "Временное удостоверение личности гражданина РФ")],
    50: [("1", "Плата за содержание жилого помещения"), ("2", "Плата за наем"),
         ("3", "Плата за текущий ремонт"), ("4", "Вывоз бытовых отходов"),
         ("5", "Обслуживание лифта"), ("6", "Уборка придомовой территории")],
    51: [("1", "Холодное водоснабжение"), ("2", "Горячее водоснабжение"),
         ("3", "Водоотведение"), ("4", "Электроснабжение"), ("5", "Газоснабжение"),
         ("6", "Отопление"), ("7", "Обращение с твердыми коммунальными отходами")],
    1: [("1", "Домофон"), ("2", "Антенна"), ("3", "Охрана"), ("4", "Видеонаблюдение")],
    # importHouseUOData (samples/houses.csv): Состояние дома, Характеристика
    # помещения, Часовая зона по Olson
    24: [("1", "Исправный"), ("2", "Аварийный"), ("3", "Ветхий")],
    30: [("1", "Отдельная квартира"), ("2", "Квартира коммунального заселения"), ("3", "Общежитие")],
    32: [("1", "Europe/Kaliningrad"), ("2", "Europe/Moscow"), ("3", "Europe/Samara"), ("4", "Asia/Yekaterinburg")],
    # Вид коммунальной услуги (importMunicipalServices, samples/municipal-services.csv;
    # contracts: importSupplyResourceContractData, importContractData)
    3: [("1", "Холодное водоснабжение"), ("2", "Горячее водоснабжение"), ("3", "Водоотведение"),
        ("4", "Электроснабжение"), ("5", "Газоснабжение"), ("6", "Отопление"),
        ("7", "Обращение с твердыми коммунальными отходами")],
    # Межповерочный интервал (importMeteringDeviceData, samples/meters.csv)
    16: [(str(n), "%d %s" % (n, "год" if n == 1 else "года" if n in (2, 3, 4) else "лет"))
         for n in range(1, 17)],
    # Тип документа для ответа на подзапрос (importResponses): sample values
    358: [("1", "Судебный приказ"), ("2", "Решение суда"), ("3", "Иной документ")],
    # Тарифицируемый ресурс, Основание заключения договора (contracts:
    # importSupplyResourceContractData, importContractData; НСИ 3 above)
    239: [("1", "Питьевая вода"), ("2", "Горячая вода"), ("3", "Сточные бытовые воды"),
          ("4", "Электрическая энергия"), ("5", "Газ природный (сетевой)"), ("6", "Тепловая энергия")],
    58: [("1", "Решение собрания собственников"), ("2", "Открытый конкурс"),
         ("3", "Заявление потребителя"), ("4", "Договор управления"), ("5", "Устав")],
    # Причина архивации прибора учета (ArchiveDevice, samples/meters-archive.csv)
    21: [("1", "Выход прибора учета из строя"), ("2", "Истечение срока эксплуатации"),
         ("3", "Демонтаж прибора учета"), ("4", "Ошибка при вводе данных")],
    # Причина выхода ПУ из строя (ReplaceDevice, samples/meters-replace.csv)
    224: [("1", "Механическое повреждение"), ("2", "Нарушение пломбы"),
          ("3", "Неисправность счетного механизма"), ("4", "Истечение межповерочного интервала")],
}
for reg, items in nsi.items():
    write(os.path.join(W, "nsi", "%d.csv" % reg),
          [("code", "guid", "name")] + [(c, g("nsi", reg, c), n) for c, n in items])

# ---- provider, orgs ----------------------------------------------------
ORG_PPA = g("provider")
with open(os.path.join(W, "provider.ini"), "w", encoding="utf-8") as f:
    f.write("[provider]\norg_ppa_guid = %s\nogrn = 1127604001234\n"
            "name = ООО \"Управляющая компания «Волжский берег»\"\ncertificate = any\n" % ORG_PPA)
# (ОГРН, name, GUID seed): the seed is the number the sample first had, so the
# GUIDs stay when a number is corrected to a valid check digit
orgs = [("1027600683824", "ПАО «Ярославская сбытовая компания»", "1027600683824"),
        ("1157627012344", "ООО «Магазин у дома»", "1157627012345"),
        ("1037600001111", "МУП «Горводоканал»", "1037600001111")]
write(os.path.join(W, "orgs.csv"), [("ogrn", "org_root_guid", "org_version_guid", "name")] +
      [(o, g("org", k), g("orgv", k), n) for o, n, k in orgs])

# ---- houses, premises, rooms ------------------------------------------
houses = [("г. Ярославль, ул. Свободы, д. 12", "apartment", 6),
          ("г. Ярославль, пр-т Ленина, д. 45", "apartment", 6),
          ("г. Ярославль, ул. Чкалова, д. 3", "apartment", 4)]
house_rows, prem_rows, room_rows = [], [], []
H = []
for i, (addr, typ, nflats) in enumerate(houses, 1):
    fias = g("house", i)
    H.append(fias)
    house_rows.append((fias, addr, typ, "76-%06d" % (1000 + i)))
    for k in range(1, nflats + 1):
        prem_rows.append((fias, str(k), g("prem", i, k), "true", "%.1f" % (38 + 7.3 * k)))
    # a communal flat with rooms in house 3, flat 4
    if i == 3:
        for r in range(1, 4):
            room_rows.append((g("prem", 3, 4), str(r), g("room", 3, 4, r)))
write(os.path.join(W, "houses.csv"), [("fias_house_guid", "address", "house_type", "unique_number")] + house_rows)
write(os.path.join(W, "premises.csv"), [("fias_house_guid", "premises_number", "premises_guid", "residential", "total_area")] + prem_rows)
write(os.path.join(W, "rooms.csv"), [("premises_guid", "room_number", "living_room_guid")] + room_rows)

# ---- debt subrequests addressed to the provider (debt-requests) --------
# Dates relative to the day the simulator reads them (docs/hcs-sim.md):
# one due in 2 days, one in 9, one overdue, one already closed.
USZN = [(g("uszn", 1), "ГКУ «Центр социальной защиты населения по г. Ярославлю»"),
        (g("uszn", 2), "Управление социальной защиты населения и труда мэрии г. Ярославля")]
subs = [(17, 0, 1, 5, "today-3", "today+2", "Sent"), (18, 0, 1, 9, "today-2", "today+9", "Sent"),
        (11, 1, 2, 1, "today-9", "today-1", "Sent"), (9, 1, 2, 3, "today-20", "today-12", "Processed")]
sr = [("subrequest_guid", "request_guid", "request_number", "org_root_guid", "org_name", "hm_object_guid",
       "address", "period_from", "period_to", "sent_date", "response_date", "status")]
for num, org, house, flat, sent, due, status in subs:
    addr = "%s, кв. %d" % (houses[house - 1][0], flat)
    sr.append((g("subrequest", num), g("debt-request", num), "ДЗ-2026-%05d" % num, USZN[org][0], USZN[org][1],
               g("prem", house, flat), addr, "2025-12-01", "2026-11-30", sent, due, status))
write(os.path.join(W, "subrequests.csv"), sr)

# ---- accounts sample (CP1251, ;) --------------------------------------
people = [
    ("Иванов", "Иван", "Иванович", "М", "12.04.1975", snils("112233445"), "", "", "", ""),
    ("Петрова", "Анна", "Сергеевна", "Ж", "03.11.1982", "", "Паспорт гражданина Российской Федерации", "78 10", "123456", "01.06.2010"),
    ("Сидоров", "Пётр", "Алексеевич", "М", "21.07.1990", "", "1", "7812", "654321", "15.08.2012"),
    ("Кузнецова", "Ольга", "Викторовна", "Ж", "09.02.1968", snils("156789012"), "", "", "", ""),
    ("Смирнов", "Алексей", "", "М", "30.12.1985", "", "", "", "", ""),
    ("Волкова", "Елена", "Дмитриевна", "Ж", "17.05.1979", "", "", "", "", ""),
    ("Морозов", "Дмитрий", "Олегович", "М", "31.02.1980", "", "", "", "", ""),           # bad date
    ("Новикова", "Татьяна", "Ивановна", "Ж", "22.08.1958", "", "Водительское удостоверение", "", "99 88 777666", "01.01.2015"),  # unknown НСИ 95
    ("Фёдоров", "", "Николаевич", "М", "05.05.1971", "", "", "", "", ""),                # missing first name
    ("Соколова", "Мария", "Павловна", "Ж", "14.03.1993", "", "", "", "", ""),
    ("Лебедев", "Сергей", "Игоревич", "М", "08.09.1966", "", "", "", "", ""),
    ("Козлова", "Наталья", "Юрьевна", "Ж", "28.01.1988", "", "", "", "", ""),
]
acc_header = ["Номер ЛС", "Идентификатор ЛС ГИС", "Тип ЛС", "ФИАС дома", "Идентификатор помещения ГИС", "Доля, %",
              "Общая площадь", "Жилая площадь", "Количество проживающих", "Фамилия", "Имя",
              "Отчество", "Пол", "Дата рождения", "СНИЛС", "Вид документа", "Серия документа",
              "Номер документа", "Дата выдачи", "Наниматель", "Дата закрытия", "Причина закрытия"]
acc = []
def prem(h, k):
    return g("prem", h, k)
for n, p in enumerate(people):
    h = 1 + n % 3
    k = 1 + n // 3
    num = "%08d" % (10010 + n)
    area = "%.1f" % (38 + 7.3 * k)
    area = area.replace(".", ",")
    living = "%.1f" % ((38 + 7.3 * k) * 0.7)
    typ = ["УО", "уо", "РСО", "УО"][n % 4]
    share = "100"
    closed = ("", "")
    if n == 5:
        closed = ("31.08.2026", "Смена собственника")
    if n == 10:
        area = "54,3а"                      # bad number
    # the first six accounts are already in GIS (world/accounts.csv): updates
    acc.append([num, g("account", num) if n < 6 else "", typ, H[h - 1], prem(h, k), share, area, living.replace(".", ","),
                str(1 + n % 4), p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8], p[9],
                "да" if n == 2 else "", closed[0], closed[1]])
# a shared flat: account 00010020 owns two premises shares; its rows are not adjacent
acc.insert(3, ["00010100", "", "УО", H[0], prem(1, 5), "50", "61,5", "40,2", "2", "Григорьев", "Антон",
               "Сергеевич", "М", "11.11.1977", "", "", "", "", "", "", "", ""])
acc.append(["00010100", "", "УО", H[1], prem(2, 5), "50", "61,5", "40,2", "2", "Григорьев", "Антон",
            "Сергеевич", "М", "11.11.1977", "", "", "", "", "", "", "", ""])
# an account with two rows, one of them bad (share 150 is not a percentage → schema);
# a missing premises id on the second row → both rows rejected
acc.append(["00010101", "", "УО", H[2], prem(3, 2), "60", "45,3", "30,1", "3", "Орлова", "Вера",
            "Андреевна", "Ж", "02.02.1990", "", "", "", "", "", "", "", ""])
acc.append(["00010101", "", "УО", "", "", "40", "45,3", "30,1", "3", "Орлова", "Вера",
            "Андреевна", "Ж", "02.02.1990", "", "", "", "", "", "", "", ""])
# a room in a communal flat (LivingRoomGUID given in the premises column's neighbour)
write(os.path.join(S, "accounts.csv"), [acc_header] + acc, enc="cp1251", nl="\r\n")

# ---- world accounts (already in GIS) and meters ------------------------
w_acc = [("account_number", "account_guid", "unified_account_number", "service_id", "fias_house_guid", "premises_guid")]
known = []
for n in range(6):
    h = 1 + n % 3
    k = 1 + n // 3
    num = "%08d" % (10010 + n)
    ag = g("account", num)
    una = "76АБ%06d" % (100 + n)
    w_acc.append((num, ag, una, una + "-01", H[h - 1], prem(h, k)))
    known.append((num, ag))
write(os.path.join(W, "accounts.csv"), w_acc)

meters = [("fias_house_guid", "serial_number", "root_guid", "version_guid", "kind", "resources", "premises_guid", "account_number")]
mlist = []
for n in range(6):
    h = 1 + n % 3
    k = 1 + n // 3
    num = "%08d" % (10010 + n)
    for kind, res, sfx in (("onerate", "1", "ХВ"), ("onerate", "2", "ГВ"), ("electric", "3", "Э")):
        serial = "%s-%05d" % (sfx, 31000 + n * 3 + len(mlist) % 3)
        root = g("meter", serial)
        meters.append((H[h - 1], serial, root, g("meterv", serial), kind, res, prem(h, k), num))
        mlist.append((H[h - 1], serial, root, kind, res))
# a house-level heat meter with a volume value
meters.append((H[0], "ТЭ-77001", g("meter", "ТЭ-77001"), g("meterv", "ТЭ-77001"), "volume", "5", "", ""))
mlist.append((H[0], "ТЭ-77001", g("meter", "ТЭ-77001"), "volume", "5"))
write(os.path.join(W, "meters.csv"), meters)

# ---- readings sample (UTF-8, ,) ----------------------------------------
rd = [["ФИАС дома", "Заводской номер ПУ", "Идентификатор ПУ ГИС", "Ресурс", "Показание",
       "Показание Т1", "Показание Т2", "Дата снятия", "Контрольное"]]
resname = {"1": "Холодная вода", "2": "горячая вода", "5": "Тепловая энергия"}
val = 100
for i, (fias, serial, root, kind, res) in enumerate(mlist):
    val += 17
    if kind == "onerate":
        rd.append([fias, serial, root, resname.get(res, res), "%d,%03d" % (val, i * 7 % 1000), "", "", "25.10.2026", ""])
    elif kind == "electric":
        rd.append([fias, serial, root, "", "", "%d.5" % (val * 10), "%d.25" % (val * 4), "2026-10-25", ""])
    else:
        rd.append([fias, serial, root, "5", "", "%d,125" % val, "", "25.10.2026", ""])
rd[3][8] = "да"                                   # one control reading
rd.append([H[0], "ХВ-99999", "", "Холодная вода", "12,5", "", "", "25.10.2026", ""])       # no GIS id, no registry
rd.append([H[1], mlist[4][1], mlist[4][2], "Пар", "15,5", "", "", "25.10.2026", ""])      # unknown НСИ 2
rd.append([H[1], mlist[5][1], mlist[5][2], "", "", "", "", "25.10.2026", ""])              # missing value (electric)
rd.append([H[2], mlist[6][1], mlist[6][2], "Холодная вода", "12,34,5", "", "", "25.10.2026", ""])  # bad number
rd.append([H[2], mlist[7][1], mlist[7][2], "Горячая вода", "77,1", "", "", "32.10.2026", ""])       # bad date
def q(s):
    return '"%s"' % s if "," in s else s
write(os.path.join(S, "readings.csv"), [[q(c) for c in r] for r in rd], sep=",")

# ---- bills sample (UTF-8 with BOM, ;) ---------------------------------
# the accounts carry the control key of the BIK (checked by the bills template)
BIK, RS1, RS2 = "047888670", "40702810777030012345", "40702810377030054321"
bl = [["Период", "Номер ЛС", "Идентификатор ЛС ГИС", "Номер ПД", "БИК", "Расчётный счёт",
       "Вид услуги", "Услуга", "Тариф", "Начислено", "Перерасчёт", "Льготы", "Объём",
       "К оплате", "Задолженность", "Аванс", "Итого к оплате"]]
lines = [("жилищная", "Плата за содержание жилого помещения", "25,50", "1384,65", "-120,00", "", "", "1264,65", RS1),
         ("коммунальная", "1", "38,35", "306,80", "0", "0", "8", "306,80", RS2),
         ("коммунальная", "Водоотведение", "29,10", "232,80", "", "", "8", "232,80", RS2),
         ("дополнительная", "Домофон", "45", "45,00", "", "10,00", "", "35,00", RS1)]
docs = []
for n, (num, ag) in enumerate(known):
    for li, (kind, svc, rate, acc_, rec, disc, vol, pay, rs) in enumerate(lines):
        if n % 2 and li == 3:
            continue
        docs.append(["10.2026", num, ag, "ПД-2026-10-%s" % num[-4:], BIK, rs, kind, svc, rate, acc_,
                     rec, disc, vol, pay, "250,00" if n == 0 else "", "", ""])
# interleave documents (rows of one document are not adjacent)
docs.sort(key=lambda r: (r[6], r[1]))
# a November document too: its own packet (one billing month per request)
docs.append(["2026-11", known[0][0], known[0][1], "ПД-2026-11-0010", BIK, RS1, "жилищная", "1", "25,50", "1384,65", "", "", "", "1384,65", "", "", ""])
# bad rows
docs.append(["10.2026", "00010099", "", "ПД-2026-10-0099", BIK, RS1, "жилищная", "1", "25,50", "", "", "", "", "100", "", "", ""])   # no GIS id
docs.append(["10.2026", known[1][0], known[1][1], "ПД-2026-10-B001", BIK, RS1, "жилищная", "Уборка подъездов", "10", "", "", "", "", "100", "", "", ""])  # unknown НСИ 50
docs.append(["10.2026", known[2][0], known[2][1], "ПД-2026-10-B002", BIK, RS1, "коммунальная", "1", "", "", "", "", "", "100", "", "", ""])  # missing Тариф
docs.append(["13.2026", known[3][0], known[3][1], "ПД-2026-13-B003", BIK, RS1, "жилищная", "1", "10", "", "", "", "", "100", "", "", ""])  # bad period
docs.append(["10.2026", known[3][0], known[3][1], "ПД-2026-10-B004", BIK, RS1, "жилищная", "1", "10", "", "", "", "", "сто", "", "", ""])  # bad number
write(os.path.join(S, "bills.csv"), bl + docs, bom=True, nl="\r\n")

# ---- payment documents (world) and the withdraw sample ----------------
pd = [("account_number", "payment_document_number", "period", "payment_document_id", "payment_document_guid", "account_guid")]
wd = [["Идентификатор ПД ГИС", "Номер ЛС", "Номер ПД", "Период"]]
for n, (num, ag) in enumerate(known):
    pid = "76АБ%06d09%06d" % (100 + n, n + 1)     # 18 characters
    assert len(pid) == 18, pid
    pd.append((num, "ПД-2026-09-%s" % num[-4:], "2026-09", pid, g("pd", pid), ag))
    if n < 4:
        wd.append([pid, num, "ПД-2026-09-%s" % num[-4:], "09.2026"])
write(os.path.join(W, "payment_documents.csv"), pd)
wd.append(["", "00010013", "ПД-2026-09-0013", "09.2026"])   # no id: needs the registry
wd.append(["76АБ00010", "", "", ""])                          # id of the wrong length (schema)
write(os.path.join(S, "bills-withdraw.csv"), wd)
# ---- payments received (a bank's register) and their cancellation -----
def order_id(day, seq):
    """A bank's 32-character OrderID (Идентификатор платежа)."""
    v = "10470000" + day + "%016d" % seq
    assert len(v) == 32, v
    return v

pay = [["Идентификатор платежа", "Номер распоряжения", "Дата оплаты", "Сумма", "Номер ЛС", "ЕЛС", "Номер ПД",
        "Период", "Идентификатор ПД ГИС", "Плательщик", "Назначение платежа"]]
pay.append([order_id("20261005", 1), "512", "05.10.2026", "1 264,65", known[0][0], "", "", "",
            "76АБ00010009000001", "Соколов Иван Петрович", "Оплата ЖКУ за 09.2026"])    # by the GIS id of the document
pay.append([order_id("20261006", 2), "513", "06.10.2026", "35,00", known[2][0], "", "ПД-2026-10-0012", "10.2026",
            "", "Кузнецова Анна Сергеевна", "Оплата ЖКУ за 10.2026"])                   # Номер ЛС + Номер ПД + Период
pay.append([order_id("20261006", 3), "", "06.10.2026", "350,5", "", "76АБ000103", "", "", "", "", ""])  # ЕЛС only, cash desk
pay.append([order_id("20261007", 4), "514", "07.10.2026", "1500", known[1][0], "", "", "", "", "Морозов П. А.", ""])  # Номер ЛС only
pay.append(["1047000020261007000000000005", "515", "07.10.2026", "100,00", known[1][0], "", "", "", "", "", ""])  # OrderID too short
pay.append([order_id("20261008", 6), "516", "08.10.2026", "1 234,567", known[1][0], "", "", "", "", "", ""])  # three decimals
pay.append([order_id("20261008", 7), "517", "08.10.2026", "200,00", known[1][0], "", "ПД-2026-10-9999", "10.2026",
            "", "", ""])                                                                  # no such document
pay.append([order_id("20261009", 8), "518", "09.10.2026", "300,00", "", "", "", "", "", "Без счёта", ""])  # payer not named
pay.append([order_id("20261009", 9), "519", "09.10.2026", "400,00", "00099999", "", "", "", "", "", ""])   # account GIS lacks
write(os.path.join(S, "payments.csv"), pay, enc="cp1251", nl="\r\n")

cancel = [["Идентификатор платежа", "Дата аннулирования", "Причина аннулирования"]]
cancel.append([order_id("20261006", 3), "10.10.2026", "Платёж зачислен ошибочно"])
cancel.append([order_id("20261001", 99), "10.10.2026", "Не отправлялся"])            # unknown to the registry
write(os.path.join(S, "payments-cancel.csv"), cancel, enc="cp1251", nl="\r\n")

# ---- the organisation's dictionaries: НСИ 1 and 51 (nsi service) ------
# UTF-8, ";".  Действие: добавить / изменить / восстановить / удалить.
write(os.path.join(S, "additional-services.csv"), [
    ("Действие", "Наименование услуги", "Код ОКЕИ", "Единица измерения", "Идентификатор элемента ГИС"),
    ("добавить", "Запирающее устройство", "796", "", ""),
    ("Добавить", "Уборка снега с кровли", "", "кв. м кровли", ""),
    ("изменить", "Видеонаблюдение", "", "камера в месяц", ""),    # known: an update (registry)
    ("удалить", "Антенна", "", "", ""),                              # by name through the registry
    ("удалить", "", "", "", g("nsi", 1, 3)),                         # by GIS id: Охрана
    ("добавить", "Консьерж", "", "", ""),                            # bad: no unit
    ("удалить", "Вахтёр", "", "", ""),                               # bad: not in НСИ 1
    ("перенести", "Домофон", "", "", ""),                            # bad: no such action
])
write(os.path.join(S, "municipal-services.csv"), [
    ("Действие", "Наименование услуги", "Вид коммунальной услуги", "Вид коммунального ресурса",
     "Код ОКЕИ", "Порядок сортировки", "Идентификатор элемента ГИС"),
    ("добавить", "Холодное водоснабжение на ОДН", "Холодное водоснабжение", "Холодная вода", "113", "10", ""),
    ("добавить", "Подогрев воды", "2", "Тепловая энергия", "", "", ""),
    ("удалить", "Газоснабжение", "", "", "", "", ""),                # by name through the registry
    ("добавить", "Вывоз мусора", "Обращение с ТКО", "", "", "", ""),  # bad: НСИ 3 name, no resource
    ("добавить", "Горячее водоснабжение", "2", "2", "", "1000", ""), # bad: sort order of 4 characters
])

# ---- houses with premises, entrances, rooms (importHouseUOData) -------
# UTF-8, ";".  One file: every row names its house; the house's columns on
# its first row, a premises per Номер помещения, a room per Номер комнаты.
# House 4 is new to GIS; house 3 is in the world (an update: premises 5 and
# 6 added, flat 2's area corrected); house 5 has a bad row, so all of it goes.
H3, H4, H5 = H[2], g("house", 4), g("house", 5)
HOUSE = ["ФИАС дома", "Адрес", "Кадастровый номер дома", "Общая площадь дома", "Состояние дома",
         "Год ввода в эксплуатацию", "Количество этажей", "Количество подземных этажей", "ОКТМО",
         "Часовая зона", "Объект культурного наследия", "Номер помещения", "Тип помещения", "Подъезд",
         "Этажей в подъезде", "Общая площадь помещения", "Жилая площадь помещения",
         "Характеристика помещения", "Номер комнаты", "Площадь комнаты"]
def hrow(fias, house=None, **p):
    h = house or ["", "", "", "", "", "", "", "", "", ""]
    return [fias] + h + [p.get(k, "") for k in ("num", "kind", "ent", "floors", "area", "living", "ch", "room", "rarea")]
h4 = ["г. Ярославль, ул. Некрасова, д. 7", "76:23:010101:1234", "1250,4", "Исправный", "1968", "5", "1",
      "78701000", "Europe/Moscow", "нет"]
h3 = ["г. Ярославль, ул. Чкалова, д. 3", "", "", "", "", "", "", "", "", ""]
h5 = ["г. Ярославль, ул. Советская, д. 40", "", "980", "Исправный", "1959", "4", "0", "78701000", "2", "да"]
hs = [HOUSE,
      hrow(H4, h4, num="1", kind="жилое", ent="1", floors="5", area="45,3", living="30,1", ch="Отдельная квартира"),
      hrow(H4, num="2", ent="1", area="61,0", living="44,2", ch="1"),
      hrow(H4, num="3", kind="жилое", ent="2", floors="5", area="72,8", living="55,0", ch="Квартира коммунального заселения"),
      hrow(H4, num="3", room="1", rarea="18,2"),
      hrow(H4, num="3", room="2", rarea="16,4"),
      hrow(H4, num="Н1", kind="нежилое", area="80"),
      hrow(H4, num="4", ent="2", area="45,3", living="30,1"),
      hrow(H3, h3, num="5", ent="1", area="39,9"),
      hrow(H3, num="6", ent="1", area="52,5", living="38"),
      hrow(H3, num="2", area="52,7"),
      hrow(H5, h5, num="1", ent="1", area="40"),
      hrow(H5, num="2", kind="гараж", area="18"),                  # bad: no such kind — house 5 goes
      hrow("", num="7", ent="1", area="40")]                        # bad: no ФИАС дома
write(os.path.join(S, "houses.csv"), hs)

# ---- the same form as two files: houses + premises (importHouseUOData) --
# What an accounting system exports: house-list.csv, one row per house;
# premises.csv, one row per premises or room, in no order (rows of houses 6
# and 1 interleaved, a room before its flat).  House 6 is new; house 1 is
# in the world (an update: flat 50 added); house 2 has no row in
# house-list.csv but is in GIS (the run exports it, then adds flat 51);
# house 9 is in neither file nor GIS: its rows are refused naming it.
H6, H9 = g("house", 6), g("house", 9)
HL = ["ФИАС дома", "Адрес", "Кадастровый номер дома", "Общая площадь дома", "Состояние дома",
      "Год ввода в эксплуатацию", "Количество этажей", "Количество подземных этажей", "ОКТМО",
      "Часовая зона", "Объект культурного наследия"]
write(os.path.join(S, "house-list.csv"), [HL,
      [H6, "г. Ярославль, ул. Победы, д. 21", "", "2140,6", "Исправный", "1985", "9", "1", "78701000",
       "Europe/Moscow", "нет"],
      [H[0], "г. Ярославль, ул. Свободы, д. 12", "", "", "", "", "", "", "", "", ""]])
PL = ["ФИАС дома", "Номер помещения", "Тип помещения", "Подъезд", "Этажей в подъезде",
      "Общая площадь помещения", "Жилая площадь помещения", "Характеристика помещения",
      "Номер комнаты", "Площадь комнаты"]
write(os.path.join(S, "premises.csv"), [PL,
      [H6, "2", "", "1", "9", "48,2", "31,0", "Отдельная квартира", "", ""],
      [H[0], "50", "", "1", "", "41,5", "27,9", "", "", ""],
      [H6, "3", "", "", "", "", "", "", "1", "17,5"],                 # a room before its flat
      [H9, "1", "", "1", "", "40", "", "", "", ""],                     # bad: house 9 is nowhere
      [H6, "1", "жилое", "1", "9", "36,4", "20,2", "Отдельная квартира", "", ""],
      [H[1], "51", "", "", "", "33,3", "", "", "", ""],
      [H6, "3", "", "2", "9", "65,0", "44,1", "Квартира коммунального заселения", "", ""],
      [H6, "3", "", "", "", "", "", "", "2", "19,9"],
      [H9, "2", "", "1", "", "52", "", "", "", ""],                     # bad: house 9 is nowhere
      [H6, "Н1", "нежилое", "", "", "120", "", "", "", ""]])
print("samples written")
