"""Analytics (issue 17 part 4) and server-side watch progress (issues 18, 16): playback beacons,
the latest position per (user, video), rollups refreshed by beat, dashboards, exports, forecast."""
