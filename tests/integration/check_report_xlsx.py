#!/usr/bin/python3
"""Independent check of the XLSX written by tests/unit/test_report.c (the
fixture in that file) with openpyxl: sheets, Russian headers, rows and
outcomes, frozen header, autofilter, text that looks like a formula stays
text, numbers are numbers, dates are dates, column widths, the chart."""
import datetime
import sys
import zipfile

import openpyxl

path = sys.argv[1]
problems = []


def check(cond, what):
    if not cond:
        problems.append(what)


wb = openpyxl.load_workbook(path)
names = wb.sheetnames
check(names[0] == "Сводка", f"first sheet is Сводка: {names}")
check(names[-1] == "Ошибки", f"last sheet is Ошибки: {names}")
check(len(names) == 5, f"5 sheets (summary, 3 files, errors): {names}")
check(len(set(n.lower() for n in names)) == len(names), f"unique names: {names}")
for n in names:
    check(len(n) <= 31 and not any(c in n for c in "[]:*?/\\"), f"valid sheet name {n!r}")

# --- the first file's sheet: лицевые счета ноябрь.csv
acc = wb[names[1]]
check(acc.title == "лицевые счета ноябрь.csv", f"sheet named after the file: {acc.title}")
check(names[2] == "ПОКАЗАНИЯ ПРИБОРОВ УЧЁТА ЗА.csv", f"long name cut, extension kept: {names[2]}")
check(names[3] == "показания приборов учёта з.xlsx", f"long name cut, extension kept: {names[3]}")
head = [c.value for c in acc[1]]
check(head[:4] == ["Строка", "Номер ЛС", "Результат", "Код ошибки"], f"headers {head}")
for h in ("Текст ошибки ГИС", "Что сделать", "Идентификатор ГИС", "Уникальный номер", "Дата результата"):
    check(h in head, f"header {h} in {head}")
col = {h: i for i, h in enumerate(head)}
rows = [list(r) for r in acc.iter_rows(min_row=2)]
check(len(rows) == 5, f"5 data rows, got {len(rows)}")
check([r[0].value for r in rows] == [2, 3, 4, 5, 6], f"row numbers {[r[0].value for r in rows]}")
check(all(r[0].data_type == "n" and isinstance(r[0].value, int) for r in rows), "row numbers are numbers")
outcomes = [r[col["Результат"]].value for r in rows]
check(outcomes == ["принято", "ошибка", "отклонено до отправки", "ожидает ответа ГИС", "отложено"],
      f"outcomes {outcomes}")
check(outcomes[3].startswith("ожидает"), "waiting rows appear as «ожидает»")
link = rows[1][col["Номер ЛС"]]
check(link.data_type == "s" and link.value.startswith("=HYPERLINK("),
      f"=HYPERLINK stays text: type {link.data_type} value {link.value!r}")
check(rows[1][col["Код ошибки"]].value == "INT002006", "GIS code")
check(rows[1][col["Текст ошибки ГИС"]].value == "Объект уже существует: AccountNumber:10002", "GIS text verbatim")
check("уже есть в ГИС" in (rows[1][col["Что сделать"]].value or ""), "hint for INT002006")
check(rows[2][col["Код ошибки"]].value == "HCS-DATE", "our code for a bad date")
check("ДД.ММ.ГГГГ" in (rows[2][col["Что сделать"]].value or ""), "hint for a bad date")
check(rows[0][col["Идентификатор ГИС"]].value == "5d1c9a4e-4c1b-4a4f-9c1e-0a0b0c0d0e01", "GIS guid")
check(rows[0][col["Уникальный номер"]].value == "12АБ345678", "unique number")
d = rows[0][col["Дата результата"]]
check(isinstance(d.value, datetime.datetime) and d.value == datetime.datetime(2026, 11, 24, 3, 10),
      f"date is a date: {d.value!r} ({d.number_format})")
check(acc.freeze_panes == "A2", f"frozen header: {acc.freeze_panes}")
check(acc.auto_filter.ref == "A1:L6", f"autofilter: {acc.auto_filter.ref}")
w = acc.column_dimensions["B"].width
check(w is not None and 8 <= w <= 62, f"key column width fits: {w}")
fills = {r[col["Результат"]].value: r[col["Результат"]].fill.fgColor.rgb for r in rows}
check(fills["принято"].endswith("C6EFCE") and fills["ошибка"].endswith("FFC7CE"), f"colour by outcome {fills}")
check(len(set(fills.values())) == 5, f"one colour per outcome {fills}")

# --- the long-named file: cut to 31 characters, rows with several problems
rd = wb[names[3]]
rrows = [list(r) for r in rd.iter_rows(min_row=2, values_only=True)]
check(len(rrows) == 5, f"readings rows {len(rrows)}")
check(rd[1][1].value == "Заводской номер ПУ", "key title from the source")
txt = rrows[4][4]
check(txt == "Текст \"в кавычках\"; с точкой с запятой\nи новой строкой", f"GIS text verbatim (CR dropped): {txt!r}")
check(rrows[2][7] == "=1+1" and rd.cell(row=4, column=8).data_type == "s", "formula-looking value stays text")

# --- Ошибки: only rows needing action, sorted by file and row
er = wb["Ошибки"]
eh = [c.value for c in er[1]]
check(eh[:2] == ["Файл", "Строка"], f"errors header {eh}")
erows = [r for r in er.iter_rows(min_row=2, values_only=True)]
check(len(erows) == 5, f"5 rows need action, got {len(erows)}")
keys = [(r[0], r[1]) for r in erows]
check(keys == sorted(keys), f"sorted by file and row {keys}")
check(all(r[3] in ("ошибка", "отклонено до отправки") for r in erows), "only failed/rejected rows")
check(er.freeze_panes == "A2" and er.auto_filter.ref is not None, "errors: frozen header and filter")

# --- Сводка
sm = wb["Сводка"]
vals = {}
for r in sm.iter_rows(values_only=True):
    if r[0] is not None and r[1] is not None:
        vals.setdefault(r[0], r[1])
check(vals.get("Запуск") == "42", f"run id {vals.get('Запуск')!r}")
check(vals.get("Начало") == datetime.datetime(2026, 11, 24, 3, 0), f"start as date {vals.get('Начало')!r}")
check(vals.get("Длительность") == "30 мин 00 с", f"duration in minutes and seconds {vals.get('Длительность')!r}")
check(vals.get("Файлов в отчёте") == 3, "files in the report")
check(vals.get("Строк требуют исправления") == 5, "rows needing action")
check(abs(vals.get("Самый старый пакет ждёт ответа ГИС, ч", 0) - 2.0) < 1e-9, "oldest pending age in hours")
flat = [r for r in sm.iter_rows(values_only=True)]
total = [r for r in flat if r[0] == "Всего"]
check(len(total) == 1, "grand total row")
if total:
    # Файл, Операция, Строк в файле, 6 outcomes, Всего строк
    check(list(total[0][3:10]) == [3, 2, 1, 1, 3, 1, 11], f"totals by outcome {total[0]}")
sub = [r for r in flat if r[0] == "Итого по операции"]
check(len(sub) == 1 and sub[0][1] == "importMeteringDeviceValues", f"subtotal per operation {sub}")
states = {r[0]: r[1] for r in flat if r[0] in ("обработан", "обрабатывается в ГИС", "сбой", "отправлен")}
check(states == {"обработан": 3, "обрабатывается в ГИС": 1, "сбой": 1, "отправлен": 1}, f"packets {states}")

with zipfile.ZipFile(path) as z:
    charts = [n for n in z.namelist() if n.startswith("xl/charts/chart")]
    check(len(charts) == 1, f"one chart: {charts}")
    if charts:
        xml = z.read(charts[0]).decode()
        check("Сводка" in xml and "barChart" in xml, "bar chart over the summary")

if problems:
    for p in problems:
        print("FAIL:", p)
    sys.exit(1)
print("xlsx ok:", path)
