#!/usr/bin/env python
"""Fill a database with a realistic corpus of published notices for the search benchmark.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/search_bench \\
        python bench/corpus.py --count 100000

Notices are written with bulk inserts (no signals, no workflow), so the search index is NOT
built here: ``bench/search_bench.py`` times that separately (``manage.py rebuild_search_index``).
The database must be migrated first (``python manage.py migrate``); the corpus is appended to
whatever is there, with organs named ``基准机构…``.

The text is procedural, not a few sentences repeated: a vocabulary of ~60,000 words is built from
~1,000 real characters and ~250 government phrases, and words are drawn with a Zipf-like spread
(rank r has weight 1/r^1.05), so that a few terms (工作, 政务公开) are in nearly every notice and
most are in a handful. Bodies are 1–10 thousand characters of HTML paragraphs; notices span ten
years and ``--organs`` organs (default 300), with 文号, 索引号, genres, topics and validity.
bench/portal_corpus.py adds the rest of what the portal shows (assessments, attachments).
"""

import argparse
import datetime
import itertools
import multiprocessing
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHARACTERS = (
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子"
    "说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机"
    "当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心"
    "反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程"
    "展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期"
    "根论运农指几九区强放决西被干做必战先回则任取据处府研队南给色光门即保治北造百规热领七海口东导器"
    "压志世金增争济阶油思术极交受联什认六共权收证改清己美再采转更单风切打白教速花带安场身车例真务具"
    "万每目至达走积示议声报斗完类八离华名确才科张信马节话米整空元况今集温传土许步群广石记需段研界拉"
    "林律叫且究观越织装影算低持音众书布复容儿须际商非验连断深难近矿千周委素技备半办青省列习响约支般"
    "史感劳便团往酸历市克何除消构府称太准精值号率族维划选标写存候毛亲快效斯院查江型眼王按格养易置派"
    "层片始却专状育厂京识适属圆包火住调满县局照参红细引听该铁价严首底液官德随病苏失尔死讲配女黄推显"
    "谈罪神艺呢席含企望密批营项防举球英氧势告李台落木帮轮破亚师围注远字材排供河态封另施减树溶怎止案"
    "言士均武固叶鱼波视仅费紧爱左章早朝害续轻服试食充兵源判护司足某练差致板田降黑犯负击范继兴似余坚"
    "曲输修故城夫够送笔船占右财吃富春职觉汉画功巴跟虽杂飞检吸助升阳互初创抗考投坏策古径换未跑留钢曾"
    "端责站简述钱副尽帝射草冲承独令限阿宣环双请超微让控州良轴找否纪益依优顶础载倒房突坐粉敌略客袁冷"
    "胜绝析块剂测丝协诉念陈仍罗盐友洋错苦夜刑移频逐靠混母短皮终聚汽村云哪既距卫停烈央察烧迅境若印洲"
    "刻括激孔搞甚室待核校散侵吧甲游久菜味旧模湖货损预阻毫普稳乙妈植息扩银语挥酒守拿序纸医缺雨吗针刘"
    "啊急唱误训愿审附获茶鲜粮斤孩脱硫肥善龙演父渐血欢械掌歌沙刚攻谓盾讨晚粒乱燃矛乎杀药宁鲁贵钟煤读"
    "班伯香介迫句丰培握兰担弦蛋沉假穿执答乐谁顺烟缩征脸喜松脚困异免背星福买染井概慢怕磁倍祖皇促静补"
    "评翻肉践尼衣宽扬棉希伤操垂秋宜氢套督振架亮末宪庆编牛触映雷销诗座居抓裂胞呼娘景威绿晶厚盟衡鸡孙"
    "延危胶屋乡临陆顾掉呀灯岁措束耐剧玉赵跳哥季课凯胡额款绍卷齐伟蒸殖永宗苗川炉岩弱零杨奏沿露杆探滑"
    "镇饭浓航怀赶库夺伊灵税途灭赛归召鼓播盘裁险康唯录菌纯借糖盖横符私努堂域枪润幅哈竟熟虫泽脑壤碳欧"
    "遍侧寨敢彻虑斜薄庭纳弹饲伸折麦湿暗荷瓦塞床筑恶户访塔奇透梁刀旋迹卡氯遇份毒泥退洗摆灰彩卖耗夏择"
    "忙铜献硬予繁圈雪函亦抽篇阵阴丁尺追堆雄迎泛爸楼避谋吨野猪旗累偏典馆索秦脂潮爷豆忽托惊塑遗愈朱替"
    "纤粗倾尚痛楚谢奋购磨君池旁碎骨监捕弟暴割贯殊释词亡壁顿宝午尘闻揭炮残冬桥妇警综招吴付浮遭徐您摇"
    "谷赞箱隔订男吹园纷唐败宋玻巨耕坦荣闭湾键凡驻锅救恩剥凝碱齿截炼麻纺禁废盛版缓净睛昌婚涉筒嘴插岸"
)
_PHRASE_TEXT = (
    "政务公开 信息公开 人民政府 办公厅 工作要点 实施意见 通知 通报 规范性文件 政策解读 民生保障 "
    "财政预算 决算公开 重大项目 审批服务 行政许可 公共资源交易 乡村振兴 生态环境 安全生产 应急管理 "
    "医疗卫生 社会救助 养老服务 就业创业 营商环境 统计数据 监督检查 责任追究 考核评估 各市州 "
    "省直部门 主动公开 依申请公开 网站建设 政务新媒体 办理情况 建议提案 督查整改 高质量发展 "
    "深化改革 放管服 互联网加政务服务 一网通办 跨省通办 数字政府 优化营商环境 疫情防控 "
    "防汛抗旱 森林防火 食品安全 药品监管 市场监管 知识产权 科技创新 人才引进 基层治理 "
    "社区服务 城乡建设 住房保障 棚户区改造 老旧小区 交通运输 水利工程 农田水利 高标准农田 "
    "耕地保护 粮食安全 脱贫攻坚 巩固拓展 乡村建设 农村人居环境 生态保护 污染防治 大气污染 "
    "水污染 土壤污染 碳达峰 碳中和 节能减排 清洁能源 新能源 文化旅游 公共文化 体育事业 "
    "教育事业 义务教育 职业教育 高等教育 学前教育 医疗保障 医保基金 公共卫生 疾病预防 "
    "中医药 养老保险 失业保险 工伤保险 最低生活保障 特困人员 残疾人 未成年人保护 妇女儿童 "
    "退役军人 双拥工作 民族团结 宗教事务 法治政府 依法行政 行政执法 行政复议 信访工作 "
    "平安建设 扫黑除恶 禁毒工作 消防安全 道路交通安全 危险化学品 矿山安全 建筑施工 "
    "统计调查 审计监督 财政资金 专项资金 政府债务 国有资产 国有企业 民营经济 中小企业 "
    "招商引资 对外开放 一带一路 口岸建设 开发区 产业园区 重点项目 项目建设 投资计划 "
    "年度报告 工作报告 工作总结 工作方案 实施方案 管理办法 实施细则 指导意见 若干措施 "
    "进一步加强 进一步规范 认真贯彻落实 切实做好 高度重视 加强组织领导 压实责任 "
    "强化督促检查 确保取得实效 现将有关事项通知如下 请认真贯彻执行 特此通知 特此通报"
)
PHRASES = _PHRASE_TEXT.split()
GENRES = ["notice", "circular", "opinion", "decision", "announcement", "report", "reply", "letter"]
PUNCTUATION = "，，，，。。、；："


def vocabulary(rng: random.Random, size: int) -> list[str]:
    """Words ordered from most to least common: phrases first, then generated words."""
    chars = list(dict.fromkeys(CHARACTERS))
    char_weights = [1 / (rank + 1) ** 0.8 for rank in range(len(chars))]
    words = list(dict.fromkeys(PHRASES))
    seen = set(words)
    while len(words) < size:
        word = "".join(rng.choices(chars, char_weights, k=rng.choice([1, 2, 2, 2, 3, 4])))
        if word not in seen:
            seen.add(word)
            words.append(word)
    return words


class TextMaker:
    def __init__(self, rng: random.Random, words: list[str]):
        self.rng = rng
        self.words = words
        self.cum = list(itertools.accumulate(1 / (rank + 1) ** 1.05 for rank in range(len(words))))

    def sentence(self, length: int) -> str:
        picked = self.rng.choices(self.words, cum_weights=self.cum, k=max(1, length // 2))
        return "".join(picked)[:length]

    def body(self, length: int) -> str:
        paragraphs, total = [], 0
        while total < length:
            size = min(length - total, self.rng.randint(80, 400))
            clauses = [
                self.sentence(self.rng.randint(6, 30)) + self.rng.choice(PUNCTUATION)
                for _ in range(max(1, size // 18))
            ]
            paragraph = "".join(clauses)[:size]
            paragraphs.append(f"<p>{paragraph}</p>")
            total += len(paragraph)
        return "".join(paragraphs)


def setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()


def fill(count: int, organs: int, seed: int, part: int = 0, batch: int = 1000) -> float:
    """Insert ``count`` notices. Every part draws from the vocabulary of ``seed``; part 0 goes on
    with the same random stream (so one part alone is the single-process corpus), part k > 0
    with a stream of its own."""
    from django.db import transaction
    from django.utils import timezone

    from notices.models import Notice, Organ, Topic

    rng = random.Random(seed)
    started = time.monotonic()
    words = vocabulary(rng, 60_000)
    if part:
        rng = random.Random(f"{seed}/{part}")
    maker = TextMaker(rng, words)
    run = f"{seed}{int(time.time()) % 100000:05d}{part or ''}"
    organ_rows = Organ.objects.bulk_create(
        Organ(name=f"基准机构{run}-{i}{maker.sentence(4)}局", code=f"B{run}{i:04d}", position=i)
        for i in range(organs)
    )
    parent, _ = Topic.objects.get_or_create(name="基准主题", parent=None)
    topics = [Topic.objects.get_or_create(name=f"主题{i}", parent=parent)[0] for i in range(30)]
    now = timezone.now()
    span = datetime.timedelta(days=3650).total_seconds()
    serial = itertools.count(1)
    through = Notice.topics.through
    made = 0
    while made < count:
        rows = []
        for _ in range(min(batch, count - made)):
            organ = rng.choice(organ_rows)
            published_at = now - datetime.timedelta(seconds=rng.random() * span)
            n = next(serial)
            number = ""
            if rng.random() < 0.6:
                number = f"{organ.name[-6:-1]}发〔{published_at.year}〕{n}号"
            length = int(rng.triangular(1000, 10000, 2500))
            validity = rng.choices(["valid", "expired", "repealed"], [90, 7, 3])[0]
            rows.append(
                Notice(
                    organ=organ,
                    title="关于"
                    + maker.sentence(rng.randint(8, 30))
                    + "的"
                    + rng.choice(["通知", "通报", "意见", "批复"]),
                    document_number=number,
                    index_number=f"{organ.code}/{published_at.year}-{n:06d}",
                    genre_id=rng.choice(GENRES),
                    summary=maker.sentence(60) if rng.random() < 0.3 else "",
                    body=maker.body(length),
                    status=Notice.Status.PUBLISHED,
                    published_at=published_at,
                    signed_on=(published_at - datetime.timedelta(days=rng.randint(0, 20))).date(),
                    validity=validity,
                    validity_changed_on=None if validity == "valid" else published_at.date(),
                )
            )
        with transaction.atomic():
            created = Notice.objects.bulk_create(rows)
            through.objects.bulk_create(
                through(notice_id=notice.pk, topic_id=rng.choice(topics).pk)
                for notice in created
                if rng.random() < 0.7
            )
        made += len(rows)
        if made % (batch * 10) == 0 or made == count:
            print(f"  {made} notices ({time.monotonic() - started:.0f} s)", flush=True)
    return time.monotonic() - started


def analyse_if_never_analysed() -> None:
    """A bulk-loaded table has no statistics until autovacuum comes round to it, and PostgreSQL
    plans until then as if it were nearly empty (scans where one index probe would do)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname FROM pg_stat_user_tables WHERE relname LIKE 'notices\\_%%' "
            "AND last_analyze IS NULL AND last_autoanalyze IS NULL"
        )
        for (table,) in cursor.fetchall():
            cursor.execute(f'ANALYZE "{table}"')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--organs", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--parts", type=int, default=1, help="processes filling at once, each its share"
    )
    args = parser.parse_args()
    setup_django()
    started = time.monotonic()
    if args.parts == 1:
        fill(args.count, args.organs, args.seed)
    else:
        shares = [
            (args.count // args.parts + (k < args.count % args.parts), k) for k in range(args.parts)
        ]
        context = multiprocessing.get_context("fork")
        processes = [
            context.Process(
                target=fill, args=(share, max(1, args.organs // args.parts), args.seed, k)
            )
            for share, k in shares
        ]
        for process in processes:
            process.start()
        for process in processes:
            process.join()
        if any(process.exitcode for process in processes):
            sys.exit("A part of the corpus failed; see above.")
    analyse_if_never_analysed()
    print(f"Inserted {args.count} notices in {time.monotonic() - started:.0f} s.")


if __name__ == "__main__":
    main()
