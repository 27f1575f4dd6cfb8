#!/usr/bin/env python3
"""Regenerates data/seed/quang-ngai.toml from data/plans/003 (Quảng Ngãi, KH 219/KH-UBND).

Phụ lục 2 is a flattened pipe table whose empty cells became line breaks; rebuilding its rows by hand is error-prone,
so this script does it (see the header comment it writes). Run: python3 data/seed/tools/quang_ngai.py"""
import re, unicodedata
import sys, os
SRC=os.path.join(os.path.dirname(os.path.abspath(__file__)), '../../plans/003_af336672ac5d0df3.txt')
lines=open(SRC,encoding='utf-8').read().split('\n')
L=lambda n: lines[n-1]
def norm(s): return re.sub(r'\s+',' ',unicodedata.normalize('NFC',s)).strip()
def q(s): return '"'+s.replace('\\','\\\\').replace('"','\\"')+'"'
out=[]
w=out.append
w('# Quảng Ngãi, Kế hoạch 219/KH-UBND (20/12/2023): chuyển đổi số năm 2024. Source: 003_af336672ac5d0df3.txt.')
w('# Phụ lục 2 rows were rebuilt from the flattened pipe table: a line break followed by "|" is an empty cell, so the')
w('# cells of a row are its lines joined and split on "|": CTX and ĐTPT of "Ngân sách tỉnh, TW", then of "Ngân sách huyện",')
w('# then the lead units. Unit line 406 "ĐVT: Triệu đồng". Year 2024 per line 261 ("Kế hoạch năm 2024").')
w('source_file = "003_af336672ac5d0df3.txt"\nprovince = "51"\nnumber_format = "vi"\n')
w('[plan]\nkey = "qn-kh-2024"\nnumber = "219/KH-UBND"\ndate = "2023-12-20"\ntitle = "KẾ HOẠCH CHUYỂN ĐỔI SỐ TỈNH QUẢNG NGÃI NĂM 2024"\nperiod_start = 2024\nperiod_end = 2024\nline = 56\nline_end = 57\n')
# agencies: single-valued lead cells
agencies={}
def agency_key(name):
    base=unicodedata.normalize('NFD',name).lower().replace('đ','d')
    base=''.join(c for c in base if unicodedata.category(c)!='Mn')
    base=re.sub(r'[^a-z0-9]+','-',base).strip('-')
    return 'qn-'+base
def kind_of(name):
    if name.startswith('Sở'): return 'so'
    if name.startswith(('Ban','VP','Văn phòng','Công an','Thanh tra','BCH','Đài','Tỉnh đoàn')): return 'ban_nganh'
    return 'khac'
projects=[]; figures=[]
# Phụ lục 2: lines 410..658
row_re=re.compile(r'^(\d+(?:\.\d+)?) \| ')
start=410; end=659
rows=[]
i=start
while i<end:
    m=row_re.match(L(i))
    if m or L(i).startswith('| Tổng:'):
        j=i+1
        while j<end and not row_re.match(L(j)) and not L(j).startswith('| Tổng:'): j+=1
        rows.append((i,j-1))
        i=j
    else: i+=1
# (funding source, printed column, level, spending): the four amount columns of Phụ lục 2. District money is
# ngan_sach_huyen whatever its kind; level and spending keep what the two header rows print.
SOURCES=[('su_nghiep','Ngân sách tỉnh, TW - CTX','province','recurrent'),('dau_tu_cong','Ngân sách tỉnh, TW - ĐTPT','province','investment'),('ngan_sach_huyen','Ngân sách huyện - CTX','district','recurrent'),('ngan_sach_huyen','Ngân sách huyện - ĐTPT','district','investment')]
for (a,b) in rows:
    text=''.join(lines[a-1:b])
    cells=[c.strip() for c in text.split('|')]
    if cells and cells[-1]=='': cells=cells[:-1]
    if L(a).startswith('| Tổng:'):
        # | Tổng: 256.785,7 | 70.276 | 144.415 | 10.135 | - |
        tot=cells[1].replace('Tổng:','').strip()
        figures.append(dict(key='qn-f-p2-tong', label='Tổng, Phụ lục 2 (khái toán nhu cầu kinh phí)', metric='budget_lines_total', scope='qn-p2-', value=tot, unit='million_vnd', line=a, quote='Tổng: '+tot))
        for (src,label,_,_),v in zip(SOURCES,cells[2:6]):
            if v and v!='-':
                figures.append(dict(key='qn-f-p2-tong-'+('tinh' if 'tỉnh' in label else 'huyen')+'-'+('ctx' if 'CTX' in label else 'dtpt'), label='Tổng, Phụ lục 2, cột '+label, value=v, unit='million_vnd', line=a, quote=v))
        continue
    ref=cells[0]; name=norm(cells[1]); rest=cells[2:]
    has_children = any(row_re.match(L(x)) and L(x).startswith(ref+'.') for x in range(b+1, min(b+3, end)))
    if '.' not in ref and has_children:
        # section header: subtotals per column
        for (src,label,_,_),v in zip(SOURCES,rest[:4]):
            if v and v!='-' and re.match(r'^[\d.,]+$',v):
                figures.append(dict(key=f'qn-f-p2-{ref}-'+('tinh' if 'tỉnh' in label else 'huyen')+'-'+('ctx' if 'CTX' in label else 'dtpt'), label=f'Mục {ref} ({name}), Phụ lục 2, cột {label}', metric='budget_lines_total', scope=f'qn-p2-{ref}-', funding=label, value=v, unit='million_vnd', line=a, line_end=b, quote=v))
        continue
    amounts=rest[:4]; lead=norm(rest[4]) if len(rest)>4 else ''
    p=dict(key='qn-p2-'+ref.replace('.','-'), ref=ref, name=name, line=a, line_end=b, budget=[])
    for (src,label,level,spending),v in zip(SOURCES,amounts):
        if v and v!='-':
            p['budget'].append(dict(amount=v, funding_source=src, funding_printed=label, level=level, spending=spending))
    if lead and ',' not in lead and ';' not in lead:
        k=agency_key(lead); agencies.setdefault(k,(lead,a,b)); p['lead_agency']=k
    # Every row keeps its lead cell as printed, an empty cell as empty (row 10 prints none).
    if len(rest)>4: p['lead_printed']=lead
    projects.append(p)
# A lead cell naming several units (a department and districts, say): each unit whose name a single-unit cell prints
# is resolved to that agency; the others (districts, departments printed only in short) stay in lead_printed alone.
for p in projects:
    lead=p.get('lead_printed','')
    if ',' in lead or ';' in lead:
        units=[norm(u) for u in re.split(r'[,;]',lead) if norm(u)]
        p['lead_agencies']=[agency_key(u) for u in units if agency_key(u) in agencies]
# Phụ lục 3: lines 666..673, one row a line: TT | name | Tổng | 2024 | 2025 |
for n in range(666,675):
    m=re.match(r'^(\d+) \| (.*) \| ([\d.,]+) \| ([\d.,]+) \| ([\d.,]+) \|$', L(n))
    if m:
        ref,name,tot,y24,y25=m.groups()
        # Phụ lục 3 restates the 2024 investment money of Phụ lục 2 (its 2024 column totals 144.420 against Phụ lục 2's
        # ĐTPT total of 144.415): each 2024 line points to that column total, and to the row of Phụ lục 2 that prints
        # the same task (a name that begins with this row's name), where there is one.
        # (An ĐTPT row: a row of the same name with recurrent money only is other money.)
        same=[q for q in projects if q['key'].startswith('qn-p2-') and q['name'].casefold().startswith(norm(name).casefold())
              and [bl['spending'] for bl in q['budget']]==['investment']]
        y24line=dict(amount=y24, year=2024, spending='investment', restates_figure='qn-f-p2-tong-tinh-dtpt')
        if len(same)==1: y24line['restates']=same[0]['key']
        projects.append(dict(key=f'qn-p3-{ref}', ref=ref, name=norm(name), line=n, total=tot, year_start=2024, year_end=2025, funding_source='dau_tu_cong', funding_printed='Nguồn đầu tư phát triển', unit_line=663, budget=[y24line, dict(amount=y25, year=2025, spending='investment')]))
    m=re.match(r'^\| Tổng: \| ([\d.,]+) \| ([\d.,]+) \| ([\d.,]+) \|$', L(n))
    if m:
        figures.append(dict(key='qn-f-p3-tong', label='Tổng, Phụ lục 3 (khái toán nguồn đầu tư phát triển)', metric='project_budget_total', scope='qn-p3-', value=m.group(1), unit='million_vnd', line=n, quote='Tổng: | '+m.group(1)))
        figures.append(dict(key='qn-f-p3-tong-2024', label='Tổng năm 2024, Phụ lục 3', value=m.group(2), unit='million_vnd', line=n, quote=m.group(2), restates='qn-f-p2-tong-tinh-dtpt'))
        figures.append(dict(key='qn-f-p3-tong-2025', label='Tổng năm 2025, Phụ lục 3', value=m.group(3), unit='million_vnd', line=n, quote=m.group(3)))
# text figures (lines 261-264) and counts
# Section V (lines 261-264) summarises Phụ lục 2: the same total (256.785,7) and its split by level and kind, each
# restating a column total of the appendix (two of them with other values: the plan's slips, shown as discrepancies).
figures.append(dict(key='qn-f-tong-nhu-cau-2024', label='Khái toán tổng nhu cầu kinh phí thực hiện Kế hoạch năm 2024', value='256.785,7', unit='million_vnd', line=261, quote='256.785,7 triệu đồng', restates='qn-f-p2-tong'))
figures.append(dict(key='qn-f-ctx-huyen', label='Chi thường xuyên đối với đơn vị cấp huyện', value='10.135,0', unit='million_vnd', line=262, quote='10.135,0 triệu đồng', restates='qn-f-p2-tong-huyen-ctx'))
figures.append(dict(key='qn-f-ctx-tinh', label='Chi thường xuyên đối với đơn vị cấp tỉnh', value='71.955,5', unit='million_vnd', line=263, quote='71.955,5 triệu đồng', restates='qn-f-p2-tong-tinh-ctx'))
figures.append(dict(key='qn-f-dtpt-tinh', label='Chi đầu tư phát triển đối với đơn vị cấp tỉnh', value='174.695,2', unit='million_vnd', line=264, quote='174.695,2 triệu đồng', restates='qn-f-p2-tong-tinh-dtpt'))
# Measured results of 2023 (Phần I, 10. Xã hội số, lines 153-156).
for key,label,value,line,quote in [
    ('qn-f-2023-cap-quang','Tỷ lệ hộ gia đình có đường Internet cáp quang băng rộng','85',153,'Tỷ lệ hộ gia đình có đường Internet cáp quang băng rộng trên 85%'),
    ('qn-f-2023-thue-bao-smartphone','Tỷ lệ thuê bao điện thoại di động sử dụng điện thoại thông minh','80',153,'tỷ lệ thuê bao điện thoại di động sử dụng điện thoại thông minh trên 80%'),
    ('qn-f-2023-dan-so-smartphone','Tỷ lệ dân số trưởng thành có điện thoại thông minh trên tổng dân số','71,54',153,'Tỷ lệ dân số trưởng thành có điện thoại thông minh trên tổng dân số đạt trên 71,54%'),
    ('qn-f-2023-dinh-danh','Tỷ lệ dân số trưởng thành có tài khoản định danh điện tử','85',154,'Tỷ lệ dân số trưởng thành có tài khoản định danh điện tử đạt 85%'),
    ('qn-f-2023-bac-si','dân số sử dụng phần mềm “Bác sĩ cho mọi nhà”','30',155,'hiện nay đạt trên 30% dân số sử dụng'),
    ('qn-f-2023-ho-so-suc-khoe','người dân có hồ sơ sức khoẻ điện tử','80',155,'hơn 80% người dân có hồ sơ sức khoẻ điện tử'),
    ('qn-f-2023-du-thi-truc-tuyen','hồ sơ học sinh đăng ký dự thi trực tuyến','96,85',156,'đạt 96,85%'),
]:
    figures.append(dict(key=key, label=label, value=value, unit='%', line=line, quote=quote, year=2023))
# The other results of 2023 that Phần I prints as a percentage (every one is stored: a faithfulness rule checks it), and
# the counts of line 156. Lines 127 and 153 print the same 83% of the working-age population trained in digital
# skills, lines 128 and 156 the same 6/6 universities: the later line restates the earlier.
for key,label,value,unit,line,quote,restates in [
    ('qn-f-2023-truyen-thanh-chuyen-muc','hệ thống truyền thanh cấp huyện, cấp xã trên địa bàn tỉnh có Chuyên mục chuyển đổi số','100','%',86,'100% hệ thống truyền thanh cấp huyện, cấp xã trên địa bàn tỉnh có Chuyên mục chuyển đổi số',None),
    ('qn-f-2023-tap-huan-lao-dong','người dân trong độ tuổi lao động tham gia các lớp bồi dưỡng, tập huấn về chuyển đổi số, phổ cập kỹ năng số (tỷ lệ trên tổng số)','83','%',127,'đạt tỷ lệ khoảng 83% trên tổng số người dân trong độ tuổi lao động',None),
    ('qn-f-2023-tap-huan-cbccvc','cán bộ, công chức, viên chức đã tham gia ít nhất 01 đợt bồi dưỡng, tập huấn về chuyển đổi số (23.086/23.086)','100','%',127,'23.086/23.086 cán bộ, công chức, viên chức đã tham gia ít nhất 01 đợt bồi dưỡng, tập huấn về chuyển đổi số, đạt tỷ lệ 100%',None),
    ('qn-f-2023-dai-hoc-cds','cơ sở đào tạo đại học, cao đẳng trên địa bàn tỉnh thực hiện chuyển đổi số (06/6)','100','%',128,'Có 06/6 cơ sở đào tạo đại học, cao đẳng trên địa bàn tỉnh thực hiện chuyển đổi số, đạt tỷ lệ 100%',None),
    ('qn-f-2023-tmdt-ban-le','Giá trị thương mại điện tử trên tổng mức bán lẻ trên địa bàn tỉnh','10','%',148,'Giá trị thương mại điện tử trên tổng mức bán lẻ trên địa bàn tỉnh khoảng 10%',None),
    ('qn-f-2023-ky-nang-so','Tỷ lệ người dân trong độ tuổi lao động được đào tạo kỹ năng số cơ bản','83','%',153,'Tỷ lệ người dân trong độ tuổi lao động được đào tạo kỹ năng số cơ bản đạt 83%','qn-f-2023-tap-huan-lao-dong'),
    ('qn-f-2023-du-thi-dang-ky','Số lượng hồ sơ học sinh đăng ký dự thi trực tuyến','13.927','count',156,'Số lượng hồ sơ học sinh đăng ký dự thi trực tuyến là 13.927',None),
    ('qn-f-2023-du-thi-truc-tuyen-so','hồ sơ học sinh đăng ký dự thi, trực tuyến','13.489','count',156,'trực tuyến là 13.489',None),
    ('qn-f-2023-dai-hoc-cds-156','cơ sở đào tạo đại học, cao đẳng trên địa bàn tỉnh thực hiện chuyển đổi số (6/6)','100','%',156,'Có 6/6 cơ sở đào tạo đại học, cao đẳng trên địa bàn tỉnh thực hiện chuyển đổi số, đạt tỷ lệ 100%','qn-f-2023-dai-hoc-cds'),
    ('qn-f-2023-ctx-tinh-tang','Nguồn chi thường xuyên, ngân sách cấp tỉnh: tăng so với năm 2022','13,21','%',161,'ngân sách cấp tỉnh là 120 tỷ đồng (tăng 13,21% so với năm 2022)',None),
]:
    figures.append(dict(key=key, label=label, value=value, unit=unit, line=line, quote=quote, year=2023, restates=restates))
figures.append(dict(key='qn-f-tthc-ket-noi-14', label='CSDL, hệ thống thông tin của bộ, ngành mà Hệ thống thông tin giải quyết TTHC tỉnh đã kết nối, tích hợp', value='14', unit='count', line=140, quote='kết nối, tích hợp với 14 CSDL, hệ thống thông tin của bộ, ngành'))
for k,(name,a,b) in sorted(agencies.items()):
    w(f'[[agency]]\nkey = {q(k)}\nname = {q(name)}\nkind = {q(kind_of(name))}\nline = {a}\nline_end = {b}\n')
w('[[connection]]\nnational_database = "ndxp"\nstatus = "planned"\nline = 325\nquote = "kết nối Nền tảng tích hợp, chia sẻ dữ liệu quốc gia (NDXP)"\n')
# Land data: line 113 (results of 2023) reports the connection done, its footnote [2] (line 676) that it covers 6
# districts and 3 communes, and line 210 sets the 2024 task of syncing with the national land database: partial.
w('[[connection]]\nnational_database = "dat-dai"\nstatus = "partial"\nstated = "connected"\nline = 113\nquote = "Hoàn thành việc kết nối, chia sẻ dữ liệu đất đai quốc gia"\n')
w('[[connection.statement]]\nstatus = "partial"\nline = 676\nquote = "Đã thực hiện với dữ liệu của 6 huyện"\n')
w('[[connection.statement]]\nstatus = "planned"\nline = 210\nquote = "đồng bộ với CSDL đất đai quốc gia"\n')
w('[[connection]]\nnational_database = "ncsc"\nstatus = "connected"\nline = 133\nquote = "Tiếp tục vận hành hệ thống SOC kết nối với NCSC"\n')
w('[[connection]]\nnational_database = "bao-cao-chinh-phu"\nstatus = "planned"\nline = 601\nquote = "kết nối với Hệ thống thông tin báo cáo Chính phủ"\n')
w('[[connection]]\nnational_database = "khieu-nai-to-cao"\nstatus = "planned"\nline = 615\nquote = "Triển khai Cơ sở dữ liệu quốc gia khiếu nại, tố cáo"\n')
w('[[information_system]]\nkey = "qn-lgsp"\nname = "Nền tảng tích hợp, chia sẻ dữ liệu tỉnh (LGSP)"\nline = 325\n')
w('[[information_system]]\nkey = "qn-httt-giai-quyet-tthc"\nname = "Hệ thống thông tin giải quyết TTHC tỉnh"\nline = 140\n')
for p in projects:
    s=f'[[project]]\nkey = {q(p["key"])}\nref = {q(p["ref"])}\nname = {q(p["name"])}\n'
    if p.get('lead_agency'): s+=f'lead_agency = {q(p["lead_agency"])}\n'
    if p.get('lead_agencies'): s+='lead_agencies = ['+', '.join(q(k) for k in p['lead_agencies'])+']\n'
    if 'lead_printed' in p: s+=f'lead_printed = {q(p["lead_printed"])}\n'
    if 'year_start' in p: s+=f'year_start = {p["year_start"]}\nyear_end = {p["year_end"]}\n'
    else: s+='year_start = 2024\nyear_end = 2024\n'
    if p.get('funding_source'): s+=f'funding_source = {q(p["funding_source"])}\nfunding_printed = {q(p["funding_printed"])}\n'
    if p.get('total'): s+=f'total = {q(p["total"])}\n'
    s+=f'unit = "million_vnd"\nunit_line = {p.get("unit_line",406)}\nline = {p["line"]}\n'
    if p.get('line_end') and p['line_end']!=p['line']: s+=f'line_end = {p["line_end"]}\n'
    w(s)
    for bl in p['budget']:
        t='[[project.budget]]\n'
        if 'year' in bl: t+=f'year = {bl["year"]}\n'
        else: t+='year = 2024\n'
        t+=f'amount = {q(bl["amount"])}\n'
        if bl.get('funding_source'): t+=f'funding_source = {q(bl["funding_source"])}\nfunding_printed = {q(bl["funding_printed"])}\n'
        for field in ('level','spending','restates','restates_figure'):
            if bl.get(field): t+=f'{field} = {q(bl[field])}\n'
        # the line of the row that prints this cell
        cell_line = p["line"]
        for n in range(p["line"], p.get("line_end", p["line"]) + 1):
            if re.search(r'(^|\|)\s*' + re.escape(bl["amount"]) + r'\s*(\||$)', L(n)):
                cell_line = n
                break
        t+=f'line = {cell_line}\n'
        w(t)
for f in figures:
    s=f'[[reported_figure]]\nkey = {q(f["key"])}\nlabel = {q(f["label"])}\n'
    if f.get('metric'): s+=f'metric = {q(f["metric"])}\n'
    if f.get('scope'): s+=f'scope = {q(f["scope"])}\n'
    if f.get('funding'): s+=f'funding_printed = {q(f["funding"])}\n'
    s+=f'value = {q(f["value"])}\nunit = {q(f["unit"])}\nline = {f["line"]}\n'
    if f.get('line_end') and f['line_end']!=f['line']: s+=f'line_end = {f["line_end"]}\n'
    s+=f'quote = {q(f["quote"])}\n'
    if f.get('restates'): s+=f'restates = {q(f["restates"])}\n'
    if f.get('year'): s+=f'year = {f["year"]}\n'
    w(s)
open(os.path.join(os.path.dirname(os.path.abspath(__file__)), '../quang-ngai.toml'),'w').write('\n'.join(out))
print(len(projects),'projects',len(agencies),'agencies',len(figures),'figures')
