"""Upload checks and HLS packaging (issue 3): the compute that `media` queue workers call.

    probe(path, limits=...)            -> ProbeResult   (raises InvalidInputError)
    transcode_hls(input, out_dir, ...) -> HlsResult     (out_dir/master.m3u8, out_dir/720p/...)
    make_trailer(input, out_dir, seconds) -> HlsResult  (one small rung, first N seconds)
    make_poster(input, out_jpg)        -> Poster
    make_sprite(input, out_jpg, out_vtt) -> Sprite
    cut_range(source, out, start_s, length_s) -> Path  (video-only re-encode of a time range)

The ffmpeg program comes only from imageio-ffmpeg; probing reads files with FFmpeg's libraries
in-process through PyAV (`av`).
"""

from video_studio.transcode.cut import cut_range
from video_studio.transcode.ffmpeg import ProgressCallback, ffmpeg_exe
from video_studio.transcode.hls import (
    DEFAULT_LADDER,
    MASTER_PLAYLIST,
    HlsResult,
    HlsVariant,
    PlannedRung,
    Rung,
    make_trailer,
    plan_ladder,
    transcode_hls,
)
from video_studio.transcode.images import Poster, Sprite, make_poster, make_sprite
from video_studio.transcode.probe import DEFAULT_LIMITS, Limits, ProbeResult, probe

__all__ = [
    "DEFAULT_LADDER",
    "DEFAULT_LIMITS",
    "MASTER_PLAYLIST",
    "HlsResult",
    "HlsVariant",
    "Limits",
    "PlannedRung",
    "Poster",
    "ProbeResult",
    "ProgressCallback",
    "Rung",
    "Sprite",
    "cut_range",
    "ffmpeg_exe",
    "make_poster",
    "make_sprite",
    "make_trailer",
    "plan_ladder",
    "probe",
    "transcode_hls",
]
