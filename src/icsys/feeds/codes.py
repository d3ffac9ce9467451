"""Code lists of the feed contracts (NHS Data Dictionary codes where one exists)."""

from __future__ import annotations

SEX = {"1": "Male", "2": "Female", "9": "Indeterminate", "X": "Not known"}
ETHNICITY = {  # NHS ethnic category, 2001 census 16+1 codes
    "A": "White - British",
    "B": "White - Irish",
    "C": "White - Any other White background",
    "D": "Mixed - White and Black Caribbean",
    "E": "Mixed - White and Black African",
    "F": "Mixed - White and Asian",
    "G": "Mixed - Any other mixed background",
    "H": "Asian or Asian British - Indian",
    "J": "Asian or Asian British - Pakistani",
    "K": "Asian or Asian British - Bangladeshi",
    "L": "Asian or Asian British - Any other Asian background",
    "M": "Black or Black British - Caribbean",
    "N": "Black or Black British - African",
    "P": "Black or Black British - Any other Black background",
    "R": "Other Ethnic Groups - Chinese",
    "S": "Other Ethnic Groups - Any other ethnic group",
    "Z": "Not stated",
}
CLUSTERS = {
    "hypertension": "Hypertension",
    "diabetes": "Diabetes mellitus",
    "copd": "Chronic obstructive pulmonary disease",
    "asthma": "Asthma",
    "chd": "Coronary heart disease",
    "heart_failure": "Heart failure",
    "stroke_tia": "Stroke or transient ischaemic attack",
    "ckd": "Chronic kidney disease (stage 3-5)",
    "dementia": "Dementia",
    "depression": "Depression",
    "smi": "Serious mental illness (schizophrenia, bipolar disorder, other psychoses)",
    "cancer": "Cancer",
    "atrial_fibrillation": "Atrial fibrillation",
    "learning_disability": "Learning disability",
}
ADMISSION_METHOD = {
    "11": "Elective - waiting list",
    "12": "Elective - booked",
    "13": "Elective - planned",
    "21": "Emergency - A&E",
    "22": "Emergency - GP",
    "23": "Emergency - bed bureau",
    "24": "Emergency - consultant outpatient clinic",
    "25": "Emergency - mental health crisis resolution team",
    "2A": "Emergency - A&E of another provider",
    "2B": "Emergency - transfer from another provider",
    "2C": "Emergency - baby born at home",
    "2D": "Emergency - other",
    "28": "Emergency - other means",
    "31": "Maternity - ante partum",
    "32": "Maternity - post partum",
    "82": "Other - birth of a baby in this provider",
    "83": "Other - baby born outside the provider",
    "81": "Other - transfer of an admitted patient from another provider",
    "99": "Not known",
}
ADMISSION_TYPE = {
    **dict.fromkeys(("11", "12", "13"), "elective"),
    **dict.fromkeys(("21", "22", "23", "24", "25", "2A", "2B", "2C", "2D", "28"), "emergency"),
    **dict.fromkeys(("31", "32", "81", "82", "83", "99"), "other"),
}
DEPARTMENT_TYPE = {
    "01": "Type 1: consultant-led 24-hour emergency department",
    "02": "Type 2: consultant-led mono-specialty A&E",
    "03": "Type 3: other A&E / minor injury unit",
    "04": "Type 4: NHS walk-in centre",
}
AE_DISPOSAL = {
    "01": "Admitted to hospital bed",
    "02": "Discharged - follow up by GP",
    "03": "Discharged - no follow up",
    "04": "Referred to A&E clinic",
    "05": "Referred to fracture clinic",
    "06": "Referred to other outpatient clinic",
    "07": "Transferred to other health care provider",
    "10": "Died in department",
    "11": "Referred to other health care professional",
    "12": "Left department before being treated",
    "13": "Left department having refused treatment",
    "14": "Other",
}
FIRST_ATTENDANCE = {
    "1": "First attendance, face to face",
    "2": "Follow-up attendance, face to face",
    "3": "First attendance, telephone or video",
    "4": "Follow-up attendance, telephone or video",
}
ATTENDED = {
    "5": "Attended on time, or late but seen without delay",
    "6": "Arrived late, but was seen",
    "7": "Arrived late and could not be seen",
    "2": "Appointment cancelled by, or on behalf of, the patient",
    "3": "Did not attend (no advance warning)",
    "4": "Appointment cancelled or postponed by the provider",
}
ATTENDANCE_OUTCOME = {
    "5": "attended",
    "6": "attended",
    "7": "did_not_attend",
    "3": "did_not_attend",
    "2": "cancelled",
    "4": "cancelled",
}
CONTACT_ATTENDED = {
    "attended": "Attended",
    "did_not_attend": "Did not attend",
    "cancelled": "Cancelled",
}
SOCIAL_CARE_SERVICE = {
    "long_term_residential": "Long-term support: residential care",
    "long_term_nursing": "Long-term support: nursing care",
    "long_term_community": "Long-term support: community (home care, direct payments, day care)",
    "short_term": "Short-term support to maximise independence (reablement)",
}
STAFF_GROUP = {
    "medical": "Doctors (hospital and community medical and dental)",
    "gp": "General practitioners",
    "nursing": "Nurses and health visitors",
    "midwifery": "Midwives",
    "ahp": "Allied health professionals",
    "scientific": "Scientific, therapeutic and technical staff",
    "ambulance": "Ambulance staff",
    "support": "Support to clinical staff",
    "admin": "Administrative, estates and central functions",
    "social_care": "Social care workforce",
    "other": "Other staff groups",
}
