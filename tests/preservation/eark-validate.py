# Runs the E-ARK validator (PyPI eark-validator) on one package folder, offline, and prints
# the messages of ERROR severity as JSON. The validator fetches four CSIP vocabularies over the
# network when imported; the same files ship in its resources, so they are served from there.
import importlib.util
import json
import sys
import urllib.request
from pathlib import Path

VOCABS = Path(importlib.util.find_spec('eark_validator').submodule_search_locations[0]) / 'ipxml' / 'resources' / 'vocabs'


def offline(url, *args, **kwargs):
    local = VOCABS / str(url).rsplit('/', 1)[-1]
    if local.exists():
        return open(local, 'rb')
    raise OSError(f'offline: {url}')


urllib.request.urlopen = offline

from eark_validator.packages import PackageValidator  # noqa: E402

report = PackageValidator(Path(sys.argv[1])).validation_report
errors = []
sets = [('structure', report.structure)]
if report.metadata:
    sets += [('schema', report.metadata.schema_results), ('schematron', report.metadata.schematron_results)]
for name, results in sets:
    for m in (results.messages if results else []):
        if m.severity.name == 'ERROR':
            errors.append({'set': name, 'rule': m.rule_id, 'location': m.location, 'message': m.message})
print(json.dumps({'errors': errors, 'structure': report.structure.status.name if report.structure else None}))
