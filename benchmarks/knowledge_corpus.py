"""A generated knowledge folder, the same for every run (a seeded random generator): Markdown files of
passages made of common words, a few of which answer a question whose words are all common; in English
or in Chinese.

Each passage is one `##` section of under 400 characters, so the index holds exactly one passage per
section. Every question asks with four of the language's common words (each in about a fifth of all
passages); its answer passage holds all four, and no other passage more than two of them, so the
answer is the one passage bm25 must rank first. The knowledge benchmark (`benchmarks/knowledge.py`) and
tests/storage/test_knowledge_ranking.py use it.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

_ENGLISH_WORDS = """
    meeting room team project calendar week month people office floor building desk phone email report
    budget plan review client customer service support manager staff member guest visitor access card
    door key printer screen camera video audio call chat message note document folder file share
    network password account laptop monitor cable power light heating window kitchen coffee water lunch
    break holiday leave request form approval policy rule safety training course schedule deadline
    invoice payment order delivery parking garage entrance reception lobby lift stairs badge contract
    travel hotel flight train taxi expense receipt refund booking cancel change update system server
    backup storage cloud license software hardware device mobile
"""
_CHINESE_WORDS = """
    会议 预约 时间 地点 房间 设备 投影 视频 电话 邮件 报告 预算 计划 审核 客户 服务 支持 经理 员工 成员
    访客 门禁 打印 屏幕 摄像 音频 消息 文件 共享 网络 密码 账户 电脑 电源 灯光 空调 窗户 厨房 咖啡 午餐
    假期 请假 申请 表格 审批 政策 规定 安全 培训 课程 日程 截止 发票 付款 订单 快递 停车 车库 入口 前台
    大厅 电梯 楼梯 合同 出差 酒店 航班 火车 出租 报销 收据 退款 取消 更改 更新 系统 备份 存储 云端 许可
    软件 硬件 手机 白板 桌椅 钥匙 保洁 维修 值班 考勤 工资 福利 体检 招聘 面试 入职 离职 档案 印章 快递
"""
_RARE_CHARACTERS = "璃瑾琦瑶珂璐琨瑛珞琛璇瑜琪瑗璋瑄珩琰璟瑀玥琬瑕琼瑭璨瑞琮琅璞珺琇瑶璘瑢琏瑁璆璠璜璩"
CORPUS_SEED = 17
PASSAGES_PER_FILE = 20
COMMON_PER_PASSAGE = 24  # of about a hundred common words: each is in about a fifth of the passages
MAX_PASSAGE_CHARS = 390  # under documents.PASSAGE_CHARS: one section, one passage


@dataclass(frozen=True, slots=True)
class Language:
    common: tuple[str, ...]
    rare_words: int  # made-up words per passage, beside the common ones
    space: str  # between words
    stop: str  # after a sentence
    ask: str  # the question, with {0} to {3} for its four words


ENGLISH = Language(
    tuple(_ENGLISH_WORDS.split()), 26, " ", ".",
    "What does the {0} say about the {1} and the {2} when there is a {3}?",
)
CHINESE = Language(tuple(dict.fromkeys(_CHINESE_WORDS.split())), 110, "", "。", "{0}和{1}的{2}怎么{3}？")


@dataclass(frozen=True, slots=True)
class Question:
    text: str
    words: tuple[str, ...]  # four common words
    marker: str  # a word only the answer passage has
    file: str  # the file the answer passage is in, relative to the folder

    def answered_by(self, passage: str) -> bool:
        return self.marker in passage.lower()  # it may begin a sentence


def write_folder(
    folder: Path, passages: int, questions: int = 20, language: Language = ENGLISH, seed: int = CORPUS_SEED
) -> list[Question]:
    """Writes `passages` passages (PASSAGES_PER_FILE to a file) under `folder`; returns the questions,
    whose answers sit in files of the second half of the folder (the old two-thousand-candidate cut
    reached only the first rows)."""
    writer = _Writer(random.Random(seed), language)
    asked = [tuple(writer.rng.sample(language.common, 4)) for _ in range(questions)]
    files = max(1, -(-passages // PASSAGES_PER_FILE))
    answers = _place_answers(writer.rng, len(asked), files)
    found: list[Question] = []
    written = 0
    for number in range(files):
        sections = []
        for slot in range(min(PASSAGES_PER_FILE, passages - written)):
            question = answers.get((number, slot))
            if question is None:
                sections.append(writer.distractor(asked))
                continue
            marker = f"ref{question:04d}x"
            sections.append(writer.answer(asked[question], marker))
            text = language.ask.format(*asked[question])
            found.append(Question(text, asked[question], marker, _name(number)))
        written += len(sections)
        path = folder / _name(number)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n\n".join(sections) + "\n", encoding="utf-8")
    return sorted(found, key=lambda q: q.marker)


def _place_answers(rng: random.Random, questions: int, files: int) -> dict[tuple[int, int], int]:
    places: dict[tuple[int, int], int] = {}
    while len(places) < questions:
        place = (rng.randrange(files // 2, files), rng.randrange(PASSAGES_PER_FILE))
        places.setdefault(place, len(places))
    return places


def _name(number: int) -> str:
    return f"handbook-{number // 100:03d}/chapter-{number:05d}.md"


class _Writer:
    def __init__(self, rng: random.Random, language: Language) -> None:
        self.rng = rng
        self.language = language
        self.rare = _rare_words(rng, language)

    def distractor(self, asked: list[tuple[str, ...]]) -> str:
        common = set(self.rng.sample(self.language.common, COMMON_PER_PASSAGE))
        for words in asked:  # no distractor holds more than two of a question's four words
            for extra in [w for w in words if w in common][2:]:
                common.discard(extra)
        return self._section([*common, *self.rng.sample(self.rare, self.language.rare_words)], set())

    def answer(self, words: tuple[str, ...], marker: str) -> str:
        chosen = [*words, marker, *self.rng.sample(self.rare, self.language.rare_words + 10)]
        return self._section(chosen, {*words, marker})

    def _section(self, words: list[str], kept: set[str]) -> str:
        """A heading and the words, shuffled, as sentences; words not `kept` are dropped from the end
        until it fits."""
        self.rng.shuffle(words)
        heading = f"## {self.rng.choice(self.rare).title()} {self.rng.choice(self.rare)}"
        lengths = [self.rng.randint(7, 11) for _ in words]
        while len(body := self._sentences(words, lengths)) > MAX_PASSAGE_CHARS:
            words = words.copy()
            words.pop(max(i for i, word in enumerate(words) if word not in kept))
        return f"{heading}\n\n{body}"

    def _sentences(self, words: list[str], lengths: list[int]) -> str:
        space, stop = self.language.space, self.language.stop
        sentences, start = [], 0
        for length in lengths:
            if start >= len(words):
                break
            sentences.append(space.join(words[start : start + length]).capitalize() + stop)
            start += length
        return space.join(sentences)


def _rare_words(rng: random.Random, language: Language) -> list[str]:
    """Made-up words: in English of two or three syllables (no "e", "s" or "y", which the stemmer would
    take off), in Chinese two characters that no common word uses."""
    if language is CHINESE:
        return sorted({a + b for a in _RARE_CHARACTERS for b in _RARE_CHARACTERS})
    onsets, vowels, codas = "bdfgklmnprtvz", "aiou", ["", "n", "r", "l", "m"]
    words: set[str] = set()
    while len(words) < 1500:
        syllables = [rng.choice(onsets) + rng.choice(vowels) + rng.choice(codas) for _ in "ab"]
        if rng.random() < 0.5:
            syllables.append(rng.choice(onsets) + rng.choice(vowels) + rng.choice(codas))
        words.add("".join(syllables))
    return sorted(words)
