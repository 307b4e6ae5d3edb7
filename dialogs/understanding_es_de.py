"""What people say in Spanish and German, merged into the English tables of dialogs/understanding.py.

Keywords are written without accents or umlauts (ü -> u): the message is folded the same way before matching,
so "Olvidé mi contraseña", "olvide mi contrasena" and "Passwort zurücksetzen" all read alike; typos are
caught by the same fuzzy word match as English.
"""

from __future__ import annotations

__all__ = ["DECLINES", "EXACT_COMMANDS", "FILLER", "GREETINGS", "PHRASES", "SWITCH_REQUESTS", "WORDS"]

PHRASES: dict[str, tuple[str, ...]] = {
    "agent": ("una persona", "un humano", "hablar con", "soporte de ti", "soporte tecnico", "mesa de ayuda",
              "con un agente", "mit einem menschen", "mit jemandem", "einem mitarbeiter", "it-support",
              "it support", "sprechen mit"),
    "reset": ("olvide mi contrasena", "olvide la contrasena", "he olvidado", "nueva contrasena",
              "cambiar mi contrasena", "restablecer mi contrasena", "no puedo entrar", "no puedo iniciar sesion",
              "passwort vergessen", "kennwort vergessen", "neues passwort", "passwort zurucksetzen",
              "passwort andern", "kann mich nicht anmelden", "komme nicht rein"),
    "unlock": ("cuenta bloqueada", "cuenta esta bloqueada", "desbloquear mi cuenta", "konto gesperrt",
               "konto ist gesperrt", "konto entsperren", "bin gesperrt"),
    "none": ("ninguna de estas", "no puedo usar", "no tengo", "keiner davon", "keine davon", "habe ich nicht",
             "geht nicht"),
    "resend": ("enviar de nuevo", "otro codigo", "codigo nuevo", "nuevo codigo", "no me llego", "no ha llegado",
               "no he recibido", "erneut senden", "neuen code", "neuer code", "nicht erhalten", "nicht bekommen",
               "kein code", "nochmal senden", "noch einmal senden"),
    "switch": ("otra forma", "otra manera", "otro metodo", "otra opcion", "anderer weg", "anderen weg",
               "andere methode", "andere moglichkeit"),
    "restart": ("empezar de nuevo", "volver a empezar", "desde el principio", "neu anfangen", "von vorne",
                "von vorn"),
    "cancel": ("olvidalo", "da igual", "vergiss es", "schon gut"),
    "sms": ("por sms", "mensaje de texto", "mi movil", "mi telefono", "mi celular", "per sms", "mein handy",
            "mein telefon"),
    "email": ("por correo", "correo electronico", "per e-mail", "per mail", "meine e-mail"),
    "questions": ("preguntas de seguridad", "sicherheitsfragen"),
    "other": ("otra cosa", "etwas anderes"),
    "enroll": ("anadir mi movil", "anadir un movil", "anadir mi correo", "anadir un correo", "cambiar mi movil",
               "cambiar mi correo", "handynummer hinzufugen", "e-mail-adresse hinzufugen", "handynummer andern",
               "sicherheitsfragen festlegen"),
}  # fmt: skip
WORDS: dict[str, tuple[str, ...]] = {
    "agent": ("agente", "humano", "persona", "soporte", "mitarbeiter", "mensch", "menschen", "berater"),
    "reset": ("contrasena", "clave", "olvide", "olvidado", "restablecer", "passwort", "kennwort", "vergessen",
              "zurucksetzen", "abgelaufen", "caducada", "caducado"),
    "unlock": ("desbloquear", "bloqueada", "bloqueado", "bloqueo", "entsperren", "gesperrt", "ausgesperrt",
               "sperre"),
    "help": ("ayuda", "ayudame", "hilfe", "helfen"),
    "cancel": ("cancelar", "parar", "salir", "abbrechen", "stopp", "beenden", "aufhoren"),
    "restart": ("reiniciar", "neustart", "neustarten"),
    "resend": ("reenviar", "erneut", "nochmal"),
    "switch": ("otra", "otro", "andere", "anderer", "anderen", "wechseln", "cambiar"),
    "sms": ("movil", "telefono", "celular", "handy", "telefon", "mobil"),
    "email": ("correo", "e-mail"),
    "questions": ("preguntas", "pregunta", "seguridad", "fragen", "frage", "sicherheitsfragen"),
    "none": ("ninguna", "ninguno", "nada", "keiner", "keine", "nichts"),
    "yes": ("si", "claro", "vale", "correcto", "ja", "genau", "jawohl", "richtig", "stimmt"),
    "no": ("nein", "nee", "incorrecto", "falsch"),
    "enroll": ("registrar", "hinzufugen", "anadir"),
}  # fmt: skip
# Whole messages (normalised and folded) that are a global command in any state.
EXACT_COMMANDS: dict[str, set[str]] = {
    "help": {"ayuda", "ayudame", "socorro", "hilfe", "hilfe bitte", "menu", "menu bitte"},
    "cancel": {"cancelar", "parar", "salir", "olvidalo", "da igual", "abbrechen", "stopp", "beenden", "vergiss es"},
    "restart": {"reiniciar", "empezar de nuevo", "volver a empezar", "neu anfangen", "neustart", "von vorne"},
    "handoff": {"agente", "humano", "una persona", "un humano", "hablar con una persona", "soporte", "soporte de ti",
                "mitarbeiter", "mensch", "ein mensch", "mit einem menschen sprechen", "it-support", "support bitte"},
}  # fmt: skip
SWITCH_REQUESTS = frozenset(
    {"otra forma", "otra manera", "otro metodo", "otra opcion", "cambiar de metodo", "anderer weg", "anderen weg",
     "andere methode", "einen anderen weg", "methode wechseln"}
)  # fmt: skip
DECLINES = frozenset({"no gracias", "no, gracias", "ahora no", "mas tarde", "nein", "nein danke", "nein, danke",
                      "jetzt nicht", "spater", "nee"})  # fmt: skip
# Words around an identifier in a sentence ("mi usuario es E1001", "meine Personalnummer ist E1001").
_FILLER_WORDS = """
    a al bloqueada bloqueado buenas buenos con contraseña cuenta de del dias días el empleado en es esta está
    gracias hola la las lo los me mi mis necesito nombre número numero olvidé olvide por que qué se soy su tengo
    tu un una usuario y ya
    bitte bin danke das der die ein eine einen gesperrt guten hallo habe ich ist kennwort konto mein meine
    meinen mir mitarbeiternummer nummer passwort personalnummer tag und vergessen benutzername lautet
"""
FILLER = frozenset(_FILLER_WORDS.split())
GREETINGS = r"hola|buenas|buenos dias|buenas tardes|buenas noches|hallo|guten tag|guten morgen|servus|moin|gruss gott"
