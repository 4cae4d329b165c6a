"""zhiben evidence add / list / show / verify / remove / bundle: files kept with completions."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from zhiben import terms
from zhiben.cli import common, words
from zhiben.dates import local
from zhiben.db import blobs
from zhiben.errors import ZhibenError
from zhiben.inputs.files import replacing
from zhiben.inputs.filetypes import label
from zhiben.outputs import evidence_bundle, progress
from zhiben.outputs import lines as out_lines
from zhiben.outputs import terminal as render
from zhiben.outputs.evidence_bundle import Altered
from zhiben.outputs.lines import Col
from zhiben.reports import evidence as report
from zhiben.reports import filters
from zhiben.reports.evidence import size_text
from zhiben.tracking import evidence, lookup, subjects

if TYPE_CHECKING:
    from zhiben.outputs.lines import Col

app = typer.Typer(help="佐证文件:随完成记录保存在数据库中,可列出、取回、校验、删除和打包。", no_args_is_help=True)


@app.command("add")
def add(
    ctx: typer.Context,
    milestone_id: str = typer.Argument(..., metavar="事项编号", help="事项编号"),
    files: list[str] = typer.Argument(..., metavar="文件…", help="佐证文件(PDF、图片、Office 文档、UTF-8 文本、ZIP)"),
    county: str = typer.Option(None, "--county", help="县(市、区)名称或简称"),
    city: bool = typer.Option(False, "--city", help="市级事项"),
    park: str = typer.Option(None, "--park", help="化工园区名称"),
    enterprise: str = typer.Option(None, "--enterprise", help="企业统一社会信用代码或全称"),
    period: str = typer.Option(None, "--period", help=words.PERIOD_HELP),
    by: str | None = typer.Option(None, "--by", help="添加人(默认为当前系统用户)"),
) -> None:
    """给已记录完成的事项添加佐证文件(与 done 相同的方式指明记录);先检查全部文件,任一不合格则都不保存。"""
    with common.session(ctx) as s:
        subject = subjects.named(s, county=county, city=city, park=park, enterprise=enterprise)
        candidates = evidence.examine(s, files)
        result = evidence.attach(s, milestone_id, subject, period, candidates, by=by or words.current_user())
    for line in words.attach_lines(result):
        typer.echo(line)


def _time(rec: dict) -> str:
    at = rec.get("added_at")
    return at.strftime("%Y-%m-%d %H:%M") if at else ""


def columns() -> list[Col]:
    def get(k: str) -> Callable[[dict], str]:
        return lambda r: "" if r.get(k) is None else str(r[k])

    return [
        Col("id", "编号", get("id"), right=True),
        Col("milestone_id", "事项", get("milestone_id"), drop=5),
        Col("subject", "责任主体", get("subject"), drop=6),
        Col("period_label", "周期", get("period_label"), drop=4),
        Col("name", "文件名", get("name"), flex=True, min_width=8),
        Col("size_text", "大小", get("size_text"), right=True, drop=3),
        Col("sha256", "SHA-256", get("sha256"), short=lambda r: r["sha256"][:12], short_label="SHA-256(前12位)",
            drop=7),
        Col("added_by", "添加人", get("added_by"), drop=1),
        Col("added_at", "添加时间", _time, drop=2),
        Col("state", "记录状态", get("state"), drop=1),
    ]


@app.command("list")
def list_(
    ctx: typer.Context,
    county: str = typer.Option(None, "--county", help="只看某个县级单位(含其园区和企业)"),
    enterprise: str = typer.Option(None, "--enterprise", help="只看某家企业(含对它的监管检查记录)"),
    milestone_id: str = typer.Option(None, "--id", help="只看某个事项"),
    period: str = typer.Option(None, "--period", help=words.PERIOD_HELP),
    fmt: str = typer.Option("table", "--format", "-f", help=common.FORMAT_HELP),
) -> None:
    """列出佐证文件:编号、记录、文件名、大小、SHA-256、添加人和时间。"""
    render.check_format(fmt)
    with common.reader(ctx) as src:
        scope = report.scope_of(src, county=county, enterprise=enterprise, milestone_id=milestone_id, period=period)
        records = report.files(src, scope)
    keep = ("id", "milestone_id", "subject_kind", "subject", "credit_code", "period", "period_label", "name",
            "size", "mime", "sha256", "added_by", "added_at", "source", "done_on")
    if fmt == "json":
        render.emit([{k: r[k] for k in keep} for r in records], [], fmt)
        return
    cols = columns()
    if fmt == "csv":  # bytes as a number, for a spreadsheet to add up
        cols = [c for c in cols if c.key != "size_text"] + [out_lines.Col("size", "字节数", lambda r: str(r["size"]))]
    render.emit(records, cols, fmt, empty="没有符合条件的佐证文件")
    if records and fmt in ("table", "plain"):
        typer.echo(f"共 {len(records)} 个文件,{report.size_text(sum(r['size'] for r in records))}")


@app.command("show")
def show(
    ctx: typer.Context,
    file_id: int = typer.Argument(..., metavar="编号", min=1, max=2**62, help="佐证文件编号(见 evidence list)"),
    to: Path = typer.Option(None, "--to", metavar="<文件>", help="把文件原样写到此处(不加则只显示文件信息)"),
    force: bool = common.Force,
) -> None:
    """显示一个佐证文件的信息;加 --to 时把文件逐字节原样取回(写入前校验 SHA-256)。"""
    target = common.output_file(to, force) if to is not None else None
    with common.session(ctx) as s:
        found = evidence.get(s, file_id)
        owner = evidence.owner_of(s, found)
        row = evidence.stored(found)
        if target is None:
            at = local(found.added_at)
            for line in (f"编号:{row.id}", f"文件名:{row.name}", f"类型:{label(row.mime)}",
                         f"大小:{size_text(row.size)}({row.size:,} 字节)", f"SHA-256:{row.sha256}",
                         f"记录:{words.describe(evidence.Attached(found.milestone_id, owner, found.period))}",
                         f"添加人:{found.added_by or ''}", f"添加时间:{at:%Y-%m-%d %H:%M}" if at else "添加时间:",
                         f"取回:zhiben evidence show {row.id} --to {row.name}"):
                typer.echo(line.rstrip())
            return

        digest, n = hashlib.sha256(), 0
        with replacing(target) as tmp, open(tmp, "wb") as out:
            for piece in blobs.chunks(s, row.sha256):
                digest.update(piece)
                n += len(piece)
                out.write(piece)
            if digest.hexdigest() != row.sha256 or n != row.size:
                raise Altered(f"佐证文件 {row.name}(编号 {row.id})的内容与记录的 SHA-256 不符,数据库中的文件已被改动;"
                              "未写出文件(请运行 zhiben evidence verify)")
    typer.echo(f"已写出 {target}({size_text(n)},SHA-256 {row.sha256})")


@app.command("verify")
def verify(ctx: typer.Context) -> None:
    """重新计算每个佐证文件的 SHA-256,列出与记录不符的文件;有不符时以非零状态退出。"""
    with common.session(ctx) as s, progress.Bar("校验佐证文件", unit="个") as bar:
        bar.update(total=len(blobs.shas(s)))
        checked, bad = evidence.verify(s, on_each=bar.advance)
    for m in bad:
        what = "内容缺失" if m.actual is None else f"内容的 SHA-256 为 {m.actual},大小 {m.actual_size:,} 字节"
        typer.echo(f"不符:{'、'.join(m.names) or '(无引用)'}:记录的 SHA-256 {m.sha256}(大小 {m.size:,} 字节),{what}")
    if bad:
        raise ZhibenError(f"校验了 {checked} 个佐证文件内容,{len(bad)} 个与记录不符(见上)")
    typer.echo(f"校验了 {checked} 个佐证文件内容,全部与记录的 SHA-256 相符")


@app.command("remove")
def remove(
    ctx: typer.Context,
    file_id: int = typer.Argument(..., metavar="编号", min=1, max=2**62, help="佐证文件编号(见 evidence list)"),
    reason: str = typer.Option(..., "--reason", help="删除原因(写入变更日志)"),
    by: str | None = typer.Option(None, "--by", help="操作人(默认为当前系统用户)"),
) -> None:
    """从记录上删除一个佐证文件(写入变更日志);没有其他记录引用时,文件内容一并删除。"""
    with common.session(ctx) as s:
        gone = evidence.remove(s, file_id, reason=reason, by=by or words.current_user())
    record = words.describe(evidence.Attached(gone.milestone_id, gone.subject, gone.period))
    tail = "文件内容已删除" if gone.content_dropped else "其他记录仍引用相同内容,内容保留"
    typer.echo(f"已删除佐证文件 {gone.file.name}(编号 {gone.file.id})← {record};{tail}")


@app.command("bundle")
def bundle(
    ctx: typer.Context,
    county: str = typer.Option(..., "--county", help="县(市、区)名称或简称"),
    plan: str = typer.Option(None, "--plan", help="只打包某个方案:chem|mine|trade(或 化工、非煤、工贸)"),
    as_of: str = typer.Option(None, "--as-of", metavar="<日期>", help="截至日期:只含此日及以前记录的完成(默认今天)"),
    to: Path = typer.Option(..., "--to", metavar="<文件>", help="输出的 ZIP 文件,如 茌平佐证.zip"),
    force: bool = common.Force,
) -> None:
    """为督导检查打包一个县区的佐证材料:每个事项一个文件夹,另附索引(XLSX 和 HTML,无佐证文件的完成记录标红)。"""
    target = common.output_file(to, force)
    day = common.as_of(as_of)
    with common.session(ctx) as s:
        cid = lookup.county(s, county).id
        plan_code = filters.plan_code(plan)
        scope = report.bundle_scope(s, cid, plan_code, day)
        name = filters.county_name(s, cid) + (f" · {terms.PLAN_NAMES[plan_code]}" if plan_code else "")
        done = evidence_bundle.write(target, scope, chunks=lambda sha: blobs.chunks(s, sha), scope_name=name, as_of=day)

    typer.echo(f"已写出 {target}:完成记录 {done.completions} 项,佐证文件 {done.files} 个({size_text(done.bytes)}),"
               f"无佐证文件的完成记录 {done.without} 项(索引中标红)")


def register(parent: typer.Typer) -> None:
    parent.add_typer(app, name="evidence")
