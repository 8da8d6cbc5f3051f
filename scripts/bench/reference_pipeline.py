"""P1 reference pipeline in the style of the Splunk Add-on for Microsoft Office 365.

The add-on loads each content blob whole with json.loads, then for every record serialises it
again with json.dumps and writes one XML event the way splunklib's modular-input EventWriter
does: an xml.etree.ElementTree <event> element (stanza and unbroken attributes; time, source,
sourcetype, data and done children) turned into text with ET.tostring, written to stdout and
flushed. Usage: reference_pipeline.py <blob file>... ; stdout is the event stream, the last
stderr line is `RESULT {"records": N, "seconds": S}` (blob files are read before the clock).
"""
import json
import sys
import time
import xml.etree.ElementTree as ET
from datetime import datetime, timezone

STANZA = "defender_o365_activity://bench"
SOURCE = "defender_o365:11111111-2222-3333-4444-555555555555:Audit.General"


def event_time(record):
    try:
        parsed = datetime.strptime(record["CreationTime"][:19], "%Y-%m-%dT%H:%M:%S")
        return "%.3f" % parsed.replace(tzinfo=timezone.utc).timestamp()
    except (KeyError, TypeError, ValueError):
        return None


def write_event(out, record):
    event = ET.Element("event")
    event.set("stanza", STANZA)
    event.set("unbroken", "1")
    stamp = event_time(record)
    if stamp is not None:
        ET.SubElement(event, "time").text = stamp
    ET.SubElement(event, "source").text = SOURCE
    ET.SubElement(event, "sourcetype").text = "o365:management:activity"
    ET.SubElement(event, "data").text = json.dumps(record)
    ET.SubElement(event, "done")
    out.write(ET.tostring(event, encoding="unicode"))
    out.flush()


def main(paths):
    blobs = []
    for path in paths:
        with open(path, "rb") as f:
            blobs.append(f.read())
    out = sys.stdout
    records = 0
    start = time.perf_counter()
    out.write("<stream>")
    for blob in blobs:
        for record in json.loads(blob):
            write_event(out, record)
            records += 1
    out.write("</stream>")
    out.flush()
    seconds = time.perf_counter() - start
    sys.stderr.write("RESULT " + json.dumps({"records": records, "seconds": seconds}) + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
