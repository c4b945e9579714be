//! The app's side of the certificate trust prompt: sending the user's
//! answer, and for "Always trust" on an account the window manages, saving
//! the pin in accounts.ron too (the runtime records it in the data
//! directory for every account).

use super::{App, Message};
use crate::ui::certificate_prompt;
use crate::ui::words::w;
use iced::Task;
use sipchat::model::RegistrationState;
use sipchat::runtime::{Command, Event};

impl App {
    /// What the runtime says about certificates: a question, a warning, or
    /// an account registered (nothing left to ask about it).
    pub(super) fn certificate_event(&mut self, event: &Event) {
        match event {
            Event::CertificateUntrusted { account, certificate } => {
                self.certificates.untrusted(account.clone(), certificate.clone())
            }
            Event::CertificateChanged {
                account,
                pinned,
                certificate,
            } => self
                .certificates
                .changed(account.clone(), pinned.clone(), certificate.clone()),
            Event::AccountState {
                account,
                state: RegistrationState::Registered { .. },
            } => self.certificates.registered(account),
            _ => {}
        }
    }

    pub(super) fn on_certificates(&mut self, message: certificate_prompt::Message) -> Task<Message> {
        let certificate_prompt::Action::Send(command) = self.certificates.update(message) else {
            return Task::none();
        };
        if let Command::TrustCertificate {
            account,
            fingerprint,
            always: true,
        } = &command
        {
            if let Err(error) = self.accounts.pin_certificate(&account.0, fingerprint) {
                self.notice = Some(w!("certificate-pin-not-saved", error = error));
            }
        }
        self.command(command);
        Task::none()
    }
}
