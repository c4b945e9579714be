# sipchat: español.

## Window

window-title = { $unread ->
        [0] sipchat
       *[other] sipchat ({ $unread })
    }
notice-dismiss = Cerrar
notice-local-port = La cuenta local no pudo escuchar en su puerto habitual ({ $error }); usa otro puerto.
notice-account-error = { $account }: { $message }
notice-runtime-stopped = El servicio en segundo plano se detuvo; ya no se pueden enviar mensajes.
notice-state-not-saved = No se pudo guardar el estado de la ventana: { $error }
notice-autostart-failed = No se pudo cambiar el inicio de sipchat al iniciar sesión: { $error }

## Sidebar

sidebar-settings = Ajustes
sidebar-accounts = Cuentas
sidebar-new-conversation = Nueva conversación
sidebar-new-conversation-from = Nueva conversación desde { $account }
sidebar-conversations = Conversaciones
sidebar-search = Búsqueda
sidebar-empty = Todavía no hay conversaciones. Los mensajes que recibas también aparecerán aquí.
sidebar-jump-hint = Ctrl+K salta a una conversación
preview-you = Tú: { $text }
preview-file = Archivo: { $name }

## Accounts and their registration state

accounts-none = No hay ninguna cuenta activada en la configuración.
account-registered = Registrada
account-registering = Registrando…
account-offline = Desconectada
account-listening = Escuchando en { $address }
account-listening-both = Escuchando en { $first } y { $second }
account-failed-retry-in = { $reason }; próximo intento en { $seconds } s
account-failed-retrying = { $reason }; reintentando…
account-refused = El servidor rechazó la contraseña: cámbiala en los ajustes de la cuenta o vuelve a intentarlo
account-retry = Reintentar
account-failed-stopped = { $reason }

## Starting a conversation

new-conversation-start = Iniciar
new-conversation-no-account = No hay ninguna cuenta activa desde la que enviar.
instance-opened = La ventana de sipchat que ya estaba abierta muestra ahora { $address }.
instance-shown = sipchat ya está abierto; su ventana se ha traído al frente.
new-conversation-has-space = «{ $input }» contiene un espacio; una dirección SIP no lleva espacios

## Search

search-placeholder = Buscar mensajes
search-waiting = Buscando «{ $text }»…
search-nothing = No se encontró nada para «{ $text }». Esc para volver.
search-results = { $count ->
        [one] Un resultado para «{ $text }» — Esc para volver
       *[other] { $count } resultados para «{ $text }» — Esc para volver
    }
search-you-to = Tú a { $name }
via-account = vía { $account }

## The open conversation

pane-empty-title = Aún no hay conversaciones: escribe una dirección SIP a la izquierda
pane-empty-hint = Por ejemplo sip:bob@example.org, o sip:bob@192.0.2.7:5062 para un contacto sin servidor.
composer-placeholder = Mensaje para { $name }
composer-stopped = No se puede enviar: el servicio en segundo plano se detuvo
composer-send = Enviar
messages-loading = Cargando…
messages-none = Todavía no hay mensajes. Saluda a { $name }.
messages-load-earlier = Cargar mensajes anteriores
messages-loading-earlier = Cargando mensajes anteriores…
message-retry = Reintentar

## Delivery states of messages you sent

delivery-queued = en cola
delivery-sending = enviando…
delivery-accepted = aceptado por el destinatario
delivery-stored = guardado por el servidor para entregarlo más tarde (202)
delivery-retrying = aún no entregado: { $reason }; nuevo intento en { $wait }
delivery-retrying-now = aún no entregado: { $reason }; reintentando ahora
delivery-failed = error: { $reason }
duration-seconds = { $count } s
duration-minutes = { $count } min
duration-hours = { $count } h

## Days and times

day-today = Hoy
day-yesterday = Ayer
day-this-year = { $weekday } { $day } { $month }
day-other-year = { $day } { $month } { $year }
weekday-mon = lun
weekday-tue = mar
weekday-wed = mié
weekday-thu = jue
weekday-fri = vie
weekday-sat = sáb
weekday-sun = dom
month-jan = ene
month-feb = feb
month-mar = mar
month-apr = abr
month-may = may
month-jun = jun
month-jul = jul
month-aug = ago
month-sep = sept
month-oct = oct
month-nov = nov
month-dec = dic

## Jump to a conversation (Ctrl+K)

switcher-placeholder = Ir a una conversación
switcher-nothing = Ninguna conversación coincide con «{ $text }»
switcher-hint = ↑ ↓ elegir · Intro abre · Esc cierra

## Settings

settings-title = Ajustes
settings-theme = Tema
settings-theme-system = Según el sistema
settings-theme-light = Claro
settings-theme-dark = Oscuro
settings-language = Idioma
settings-language-system = Idioma del sistema ({ $language })
settings-close = Cerrar

## Chat sessions (MSRP): a live session instead of single messages

chat-start = Iniciar sesión de chat
chat-requested = Iniciando una sesión de chat…
chat-inviting = Invitando a { $name } a una sesión de chat…
chat-ringing = Esperando a que { $name } responda…
chat-connecting = Conectando la sesión de chat…
chat-cancel = Cancelar
chat-active = Sesión de chat
chat-active-secure = cifrada
chat-active-plain = sin cifrar
chat-active-relay = a través del relé { $relay }
chat-active-direct = directa
chat-end = Terminar sesión
chat-offer = { $name } te invita a una sesión de chat
chat-accept = Aceptar
chat-decline = Rechazar
chat-open = Abrir
chat-failed = La sesión de chat no se pudo iniciar: { $reason }
chat-failed-plain = La sesión de chat no se pudo iniciar.
chat-ended = La sesión de chat terminó: { $reason }
chat-ended-plain = La sesión de chat terminó.
chat-typing = { $name } está escribiendo…
composer-placeholder-chat = Mensaje para { $name } en la sesión de chat
sidebar-invites = te invita

## Alertas de emergencia

alert-banner-heading = ALERTA DE EMERGENCIA
alert-untitled = Alerta de emergencia
alert-banner-heading-many = ALERTA DE EMERGENCIA · { $count } sin confirmar
alert-area = Zona: { $areas }
alert-from-at = De { $sender } · { $at }
alert-acknowledge = Confirmar
alert-show = Ver
alert-show-all = Ver todas ({ $count })
alert-log-entry = { $count ->
        [0] Alertas
       *[other] Alertas ({ $count } abiertas)
    }
alert-log-title = Registro de alertas
alert-log-count = { $count ->
        [one] 1 alerta
       *[other] { $count } alertas
    }
alert-log-close = Cerrar
alert-log-empty = No se ha recibido ninguna alerta de emergencia.
alert-cap-event = Evento
alert-cap-urgency = Urgencia
alert-cap-severity = Gravedad
alert-cap-certainty = Certeza
alert-cap-description = Descripción
alert-cap-instruction = Instrucciones
alert-cap-expires = Válida hasta
alert-cap-areas = Zonas
alert-cap-error = No se pudo leer el documento CAP de la alerta: { $error }
alert-raw-text = Tal como se recibió:
alert-acknowledged-at = Confirmada { $at }
alert-open-conversation = Abrir conversación
message-alert-badge = Alerta de emergencia
message-alert-untrusted = Atención: dice ser una alerta, pero el remitente no es de confianza
## Accounts (Settings > Accounts, the account dialog, the first-start offer)

account-offer = Aún no hay ninguna cuenta SIP. Añade la tuya para chatear a través de tu proveedor; mientras tanto puedes chatear directamente con otros usuarios de sipchat (la cuenta local).
account-offer-add = Añadir cuenta SIP
account-offer-later = Ahora no
account-add-title = Añadir una cuenta SIP
account-edit-title = Editar cuenta SIP
account-address = Dirección SIP
account-password = Contraseña
account-password-keep = Déjala vacía para conservar la contraseña
account-display-name = Nombre visible (opcional)
account-display-name-hint = El nombre que ven los demás
account-proxy = Proxy de salida (opcional)
account-transport-auto = Automático
account-relay = Relé MSRP para sesiones de chat (opcional)
account-trusted = Remitentes de alertas de confianza: direcciones SIP, o direcciones IP, redes y nombres de host de servidores que envían alertas (opcional, separados por comas)
account-name = Nombre de la cuenta en sipchat (opcional)
account-name-hint = La dirección sin sip:
account-cancel = Cancelar
account-save = Guardar
account-error-address-missing = Escribe tu dirección SIP, como sip:alice@example.org.
account-error-address = «{ $address }» no es una dirección SIP como sip:alice@example.org.
account-error-password = Escribe la contraseña de { $address }.
account-error-proxy = «{ $proxy }» no es una dirección de proxy como sip:proxy.example.org:5061 o proxy.example.org (y TLS no puede ir sobre UDP).
account-error-relay = «{ $relay }» no es un relé MSRP como msrps://relay.example.org:2855;tcp.
account-error-trusted = «{ $sender }» no es una dirección SIP, una dirección IP, una red como 192.0.2.0/24 ni un nombre de host, así que no puede ser un remitente de alertas de confianza.
account-error-name-taken = Ya hay una cuenta llamada «{ $name }»; elige otro nombre de cuenta.
accounts-title = Cuentas
accounts-in-config = en el archivo de configuración
accounts-disabled = desactivada
accounts-local = Local (directa, sin servidor)
accounts-add = Añadir cuenta
accounts-edit = Editar
accounts-enable = Activar
accounts-disable = Desactivar
accounts-remove = Quitar
accounts-keep = Conservar
accounts-remove-question = ¿Quitar esta cuenta?
accounts-not-saved = No se pudieron guardar las cuentas: { $error }
accounts-applying = Aplicando las cuentas cambiadas…
accounts-applied = Las cuentas se cambiaron y ya están en uso.
accounts-restart-needed = Las cuentas se guardaron. Reinicia sipchat para usarlas.
accounts-restart-failed = No se pudieron usar las cuentas cambiadas: { $error }

## Files: sending, offers, progress (the attach button, the timeline, banners)

composer-attach = Enviar archivos
decimal-separator = ,
size-bytes = { $count ->
    [one] 1 byte
   *[other] { $count } bytes
}
transfer-file-icon = DOC
transfer-from = de { $name }
transfer-to = para { $name }
transfer-progress = { $done } de { $total }
transfer-rate = { $rate }/s
transfer-left = quedan { $time }
transfer-offer = { $name } quiere enviarte este archivo.
transfer-offer-banner = { $name } quiere enviarte «{ $file }»
transfer-accept = Aceptar
transfer-decline = Rechazar
transfer-cancel = Cancelar
transfer-waiting = Esperando los primeros bytes…
transfer-preparing = Preparando…
transfer-received = Recibido
transfer-sent = Enviado
transfer-open = Abrir
transfer-show-in-folder = Mostrar en la carpeta
transfer-failed = No transferido: { $reason }
transfer-send-again = Enviar de nuevo
transfer-interrupted-out = se interrumpió a medias; envíalo de nuevo para continuar donde se quedó
transfer-interrupted-in = se interrumpió a medias; continuará cuando se vuelva a enviar
transfer-runtime-stopped = sipchat se detuvo antes de que el archivo estuviera completo
files-drop-here = Suelta para enviar a { $name }
files-drop-hint = Abre primero una conversación y luego suelta los archivos en ella para enviarlos.
files-choose-title = Enviar archivos a { $name }
files-not-a-file = { $path } no es un archivo que se pueda enviar.
sidebar-file-offer = archivo

## Notifications (settings, and the texts of desktop notifications)

settings-notifications = Notificaciones
settings-notify-messages = Avisarme de mensajes, invitaciones de chat y archivos
settings-notify-alerts-always = Las alertas de emergencia siempre avisan, diga lo que diga esta opción.
settings-duty = De guardia
settings-message-sounds = Reproducir un sonido con los mensajes nuevos
settings-mute-hour = Silenciar los mensajes durante una hora
settings-mute-tomorrow = Silenciar hasta mañana por la mañana
settings-muted-until = Los mensajes están silenciados hasta las { $time }.
settings-unmute = Quitar el silencio
settings-mute-alerts-always = Las alertas de emergencia siempre llegan, con su sonido, aunque esté silenciado.
settings-keep-running = Seguir en segundo plano al cerrar la ventana
settings-autostart = Iniciar sipchat en segundo plano al iniciar sesión
background-ask-title = ¿Seguir en segundo plano?
background-ask-body = sipchat puede seguir registrado con la ventana cerrada, para que los mensajes y las alertas de emergencia le sigan llegando como notificaciones del escritorio. Este escritorio no tiene icono en la bandeja.
background-ask-how-to-quit = Para volver a abrir la ventana, inicie sipchat de nuevo. Para salir, pulse Ctrl+Q en la ventana. Puede cambiarlo en Ajustes.
background-ask-keep = Seguir en segundo plano
background-ask-quit = Salir
background-ask-cancel = Cancelar
tray-open = Abrir sipchat
tray-mute-hour = Silenciar los mensajes durante una hora
tray-unmute = Quitar el silencio
tray-quit = Salir
tray-nothing-new = No hay mensajes sin leer
tray-unread = { $count ->
        [one] 1 mensaje sin leer
       *[other] { $count } mensajes sin leer
    }
tray-alerts = { $count ->
        [one] 1 alerta de emergencia abierta
       *[other] { $count } alertas de emergencia abiertas
    }
settings-files = Archivos recibidos
settings-download-dir = Se guardan en { $folder }
settings-download-dir-default = Usar la carpeta Descargas
settings-download-dir-accounts = Una cuenta con su propia carpeta de descargas (Ajustes > Cuentas) usa esa.
notify-alert-summary = ALERTA DE EMERGENCIA: { $title } (de { $name })
notify-message = Mensaje de { $name }
notify-messages = { $count } mensajes nuevos de { $name }
notify-untrusted = dice ser una alerta, pero el remitente no es de confianza
notify-chat-offer = { $name } te invita a una sesión de chat
notify-chat-offer-body = Abre la conversación para aceptar o rechazar.
notify-file-offer = { $name } quiere enviarte un archivo
notify-file-offer-body = { $file } ({ $size }). Abre la conversación para aceptar o rechazar.
notify-open = Abrir
notify-acknowledge = Confirmar

## Files in the account dialog

account-download-dir = Carpeta de descargas
account-download-dir-hint = Vacío: tu carpeta de Descargas
account-choose-folder = Elegir…
account-choose-folder-title = Elige la carpeta para los archivos recibidos
account-max-file-size = Tamaño máximo de archivo al recibir (MB)
account-error-max-file-size = «{ $value }» no es un tamaño en megabytes.

## The certificate trust prompt and the changed-certificate warning
certificate-title = ¿Confiar en el certificado de este servidor?
certificate-self-signed = { $server } presentó un certificado autofirmado en el que la cuenta «{ $account }» aún no confía.
certificate-unknown-issuer = { $server } presentó un certificado de una autoridad en la que la cuenta «{ $account }» no confía.
certificate-server = Servidor
certificate-subject = Titular
certificate-issuer = Emitido por
certificate-validity = Válido
certificate-valid-range = del { $from } al { $until }
certificate-fingerprint = Huella SHA-256
certificate-unreadable = (ilegible)
certificate-advice = Confíe en él solo si es el certificado de su servidor: compare la huella con la que le dio el administrador del servidor. «Confiar siempre» lo recuerda para esta cuenta; un certificado distinto más adelante se rechaza con un aviso.
certificate-cancel = Cancelar
certificate-trust-once = Confiar una vez
certificate-trust-always = Confiar siempre
certificate-changed = Aviso: el certificado de { $server } (cuenta «{ $account }») ha cambiado. sipchat lo rechazó.
certificate-pinned = De confianza
certificate-presented = Presentado ahora
certificate-changed-advice = O bien se sustituyó el certificado del servidor, o alguien escucha en medio. Pregunte al administrador del servidor; solo si confirma la nueva huella, fíjela en los ajustes de la cuenta (tls.fingerprint).
certificate-not-trusted = La cuenta «{ $account }» no confía en el certificado de { $server } y espera su decisión.
certificate-review = Revisar…
certificate-pin-not-saved = Se confía en el certificado hasta que se cierre sipchat, pero no se pudo guardar en la cuenta: { $error }
message-copy = Copiar
message-select = Seleccionar texto
sidebar-unfold = Mostrar la lista de conversaciones
composer-emoji = Insertar un emoji
notice-local-port-taken = Otro programa ocupa el puerto { $port }; la cuenta local escucha en otro puerto (su dirección está en Cuentas).
notice-local-port-denied = sipchat no puede usar el puerto { $port } (permiso denegado); la cuenta local escucha en otro puerto (su dirección está en Cuentas).
notice-local-port-taken-moved = Otro programa ocupa el puerto { $port }; sipchat escucha en el { $new } en su lugar.
notice-local-port-denied-moved = sipchat no puede usar el puerto { $port } (permiso denegado); escucha en el { $new } en su lugar.
notice-local-port-moved = La cuenta local no pudo escuchar en su puerto habitual ({ $error }); sipchat escucha en el { $new } en su lugar.
account-own-address = Tu dirección: { $address }
account-copy-address = Copiar
files-no-chooser = Este escritorio no tiene selector de archivos (xdg-desktop-portal no se está ejecutando). Escribe la ruta del archivo que quieres enviar:
files-path-placeholder = /home/tu/Documentos/archivo.pdf
files-path-cancel = Cancelar

## Contacts (#15)
sidebar-contacts = Contactos
contacts-filter = Filtrar contactos
contacts-add = Añadir contacto
contacts-empty = Aún no hay contactos. Añada uno, o añada el interlocutor de una conversación desde su menú.
contacts-none-match = Ningún contacto coincide con el filtro.
contacts-blocked-mark = bloqueado
contact-page-close = Cerrar
contact-page-favourite = Favorito
contact-page-blocked = Bloqueado: se rechazan los mensajes, chats y archivos de este contacto.
contact-page-write = Escribir un mensaje
contact-page-chat-session = Sesión de chat
contact-page-send-file = Enviar archivo
contact-page-block = Bloquear
contact-page-unblock = Desbloquear
contact-page-edit = Editar
contact-page-default-account = { $account } (la cuenta predeterminada)
contact-page-no-account = No hay ninguna cuenta en marcha.
contact-page-addresses = Direcciones
contact-page-account = Cuenta
contact-page-groups = Grupos
contact-page-note = Nota
notice-contact-refused = La libreta de direcciones no se cambió: { $reason }
contact-form-add-title = Añadir un contacto
contact-form-edit-title = Editar el contacto
contact-form-name = Nombre
contact-form-name-hint = Ana García
contact-form-addresses = Direcciones, una por línea
contact-form-addresses-hint = sip:ana@example.org
contact-form-account = Cuenta (vacía: la cuenta predeterminada)
contact-form-account-hint = la cuenta predeterminada
contact-form-note = Nota
contact-form-favourite = Favorito (aparece primero)
contact-form-save = Guardar
contact-form-cancel = Cancelar
contact-form-refused = No se guardó: { $reason }
contact-form-no-name = Escriba un nombre.
contact-form-name-too-long = El nombre tiene más de { $max } caracteres.
contact-form-no-address = Escriba al menos una dirección, como sip:ana@example.org.
contact-form-too-many-addresses = Un contacto puede tener como máximo { $max } direcciones.
contact-form-address-empty = Una dirección está vacía.
contact-form-address-scheme = «{ $address }» debe empezar por sip:, sips: o tel:.
contact-form-address-host = «{ $address }» no tiene un host válido (como sip:ana@example.org).
contact-form-address-twice = «{ $address }» aparece dos veces.
contact-form-unknown-account = No hay ninguna cuenta llamada «{ $account }».
switcher-contact = contacto
menu-add-to-contacts = Añadir a contactos
menu-rename = Cambiar nombre
menu-rename-hint = Un nombre para esta conversación (vacío: el del contacto o interlocutor)
menu-rename-save = Cambiar nombre
menu-rename-too-long = El nombre tiene más de { $max } caracteres.
menu-delete = Eliminar conversación
menu-delete-question = ¿Eliminar la conversación con { $name } y todos sus mensajes? No se puede deshacer.
menu-delete-confirm = Eliminar
menu-cancel = Cancelar

## Picture previews and pasting pictures or files
picture-open = Abrir { $name }
picture-too-large = Esta imagen es demasiado grande para la vista previa.
picture-unreadable-file = No se puede mostrar esta imagen: no se puede leer el archivo.
picture-broken = No se puede mostrar esta imagen: está dañada o no es una imagen.
paste-title = ¿Enviar a { $name }?
paste-send = Enviar
paste-cancel = Cancelar
paste-left-out = { $count ->
        [one] Se omite un archivo más.
       *[other] Se omiten { $count } archivos más.
    }
paste-too-large = La imagen del portapapeles es demasiado grande para enviarla.
paste-broken = La imagen del portapapeles está dañada.
paste-not-written = No se pudo guardar la imagen pegada: { $error }
## Presence
presence-available = Disponible
presence-away = Ausente
presence-busy = Ocupado
presence-offline = Desconectado
presence-invisible = Invisible
presence-unknown = Estado desconocido
presence-pending = Esperando permiso
presence-refused = No comparte su estado
presence-no-such-user = No existe ese usuario
presence-last-seen = visto por última vez { $time }
own-status-note = Nota
own-status-note-hint = Una nota para sus contactos; Intro la fija.
own-status-setting = Fijando su estado…
own-status-not-yet = Guardado de la última vez.
own-status-shown = Sus contactos ven esto.
own-status-invisible = Sus contactos le ven desconectado.
own-status-failed = Su estado no se publicó en { $account }: { $error }
presence-request = { $name } quiere ver cuándo está usted conectado.
presence-request-account = En la cuenta { $account }
presence-request-more = { $count ->
    [one] Espera una solicitud más.
   *[other] Esperan { $count } solicitudes más.
}
presence-allow = Permitir
presence-block = Bloquear
notify-online = { $name } está conectado
settings-status = Estado
settings-away-after = Ponerme ausente tras
settings-away-never = nunca
settings-away-minutes = { $minutes } minutos sin actividad
settings-away-hint = Actividad significa teclado y ratón en esta ventana. Ocupado e invisible nunca se cambian; la primera actividad le devuelve.
contact-page-presence = Estado
contact-page-presence-none = Desconocido (el estado de los contactos se observa en su cuenta).
contact-page-notify-online = Avisarme cuando { $name } esté conectado
tray-my-status = Mi estado
