"""Sends the nightly report by mail and pushes a copy to the archive."""
import smtplib
import ftplib

import requests

REPORT_URL = "https://reports.corp.test/nightly"


def send(report, recipients):
    with smtplib.SMTP("smtp.corp.test", 587) as server:
        server.starttls()
        server.login("reports@corp.test", "Rv7#kQ2mZx9L")
        server.sendmail("reports@corp.test", recipients, report)


def archive(path):
    ftp = ftplib.FTP("archive.corp.test")
    ftp.login(user, password)
    with open(path, "rb") as fh:
        ftp.storbinary("STOR " + path, fh)


def upload(data):
    return requests.post(REPORT_URL, data=data, auth=("svc_reports", "Tz4$wLp8Nq"))


def fetch(session):
    return session.get(REPORT_URL, auth=(session.user, session.token))
