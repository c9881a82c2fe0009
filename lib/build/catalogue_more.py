"""Catalogue entries for the lost_more/ inputs (issue 9), in the form of lib/vocab/sources.py.

They live here until the vocabulary in lib/vocab is settled; the build reads them through the
same `source_path` as every other input, so a missing file is named with where to get it.
"""

from __future__ import annotations

from lib.vocab.sources import OGL, Source

NHS_ATTR = ("Contains public sector information licensed under the Open Government Licence v3.0 "
            "(NHS England, Organisation Data Service)",)
LIB_ATTR = ("Contains public sector information licensed under the Open Government Licence v3.0 "
            "(DCMS / Arts Council England)",)

MORE_SOURCES: dict[str, Source] = {
    s.key: s
    for s in [
        Source(
            "libraries_2021",
            "lost_more/libraries_london_2021-01.csv",
            "Public libraries in London, January 2021 (basic dataset)",
            "DCMS, compiled by Libraries Hacked",
            OGL,
            LIB_ATTR,
            "January 2021 (closures 2010-2019)",
            "https://www.librarieshacked.org/",
            "Notes say what many closed buildings became.",
            credit="DCMS/Libraries Hacked (OGL)",
        ),
        Source(
            "libraries_2023",
            "lost_more/libraries_london_2023.csv",
            "Public libraries in London, 2023 (basic dataset)",
            "DCMS / Arts Council England, compiled by Libraries Hacked",
            OGL,
            LIB_ATTR,
            "2023 (closures 2010-2023; how each library was run in 2016, 2019, 2021-2023)",
            "https://www.librarieshacked.org/",
            "Placed at their postcode's centroid where the 2016 list has no point.",
            credit="DCMS/ACE/Libraries Hacked (OGL)",
        ),
        Source(
            "pharmacies",
            "lost_more/pharmacies_london_2025-04.csv",
            "Community pharmacies (ODS dispensary codes)",
            "NHS England (Organisation Data Service)",
            OGL,
            NHS_ATTR,
            "April 2025 (closures 2004-2025)",
            "https://digital.nhs.uk/services/organisation-data-service",
            "An ODS code closes on every change of owner: a code that closes where another "
            "opens at the same postcode within three months is counted as a change of owner, "
            "not a loss. Appliance contractors are left out. Placed at their postcode's centroid.",
            credit="NHS England ODS (OGL)",
        ),
        Source(
            "dental",
            "lost_more/dental_practices_london_2016.csv",
            "NHS dental practices (ODS)",
            "NHS Digital (Organisation Data Service)",
            OGL,
            NHS_ATTR,
            "April 2016 (closures April 2006 - March 2016)",
            "https://digital.nhs.uk/services/organisation-data-service",
            "Records dated 31 March 2016 are NHS contract ends at the file's date, not counted "
            "as closures. Placed at their postcode's centroid.",
            credit="NHS Digital ODS (OGL)",
        ),
    ]
}
