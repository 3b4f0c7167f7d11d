"""The SMTP server's own rate, for make bench: a plain client sends emails the
size of a confirmation over CONNECTIONS connections for SECONDS and prints how
many the server accepted per second. The reference for the email worker's rate.

Usage: smtp_client.py HOST PORT CONNECTIONS SECONDS
"""

import smtplib
import sys
import threading
import time
from email.message import EmailMessage

host, port, connections, seconds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
body = "Bonjour,\n" + "x" * 1200
deadline = time.monotonic() + seconds
sent = [0] * connections


def send(k):
    with smtplib.SMTP(host, port) as smtp:
        while time.monotonic() < deadline:
            message = EmailMessage()
            message["From"] = "ne-pas-repondre@bench.invalid"
            message["To"] = f"reference-{k}-{sent[k]}@mairie.fr"
            message["Subject"] = "Confirmez votre inscription"
            message.set_content(body)
            message.add_alternative(f"<p>{body}</p>", subtype="html")
            smtp.send_message(message)
            sent[k] += 1


threads = [threading.Thread(target=send, args=(k,)) for k in range(connections)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print(round(sum(sent) / seconds))
