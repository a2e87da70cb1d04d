//! Message, Inline, Attachment, XSmtpApi and Envelope for Python.

use crate::convert::{
    bytes_from, items, mailboxes, optional_mailbox, optional_string, pairs, string, strings, text,
    unix_seconds,
};
use crate::dkim::DkimSigner;
use crate::errors::IntoPy;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyString, PyTuple};

/// A part shown inside the HTML body, referred to as ``cid:<content_id>``.
#[pyclass(frozen, module = "mailwright._mailwright")]
#[derive(Clone)]
pub struct Inline {
    pub inner: mailwright::Inline,
}

#[pymethods]
impl Inline {
    #[new]
    #[pyo3(signature = (content_id, content_type, data, filename=None))]
    fn new(
        content_id: &Bound<'_, PyString>,
        content_type: &Bound<'_, PyString>,
        data: &Bound<'_, PyAny>,
        filename: Option<&Bound<'_, PyString>>,
    ) -> PyResult<Self> {
        let mut inner = mailwright::Inline::new(
            string(content_id, "content_id")?,
            string(content_type, "content_type")?,
            bytes_from(data, "data")?,
        );
        if let Some(name) = optional_string(filename, "filename")? {
            inner = inner.filename(name);
        }
        Ok(Inline { inner })
    }

    #[getter]
    fn content_id(&self) -> &str {
        self.inner.content_id()
    }

    #[getter]
    fn size(&self) -> usize {
        self.inner.data().len()
    }

    fn __repr__(&self) -> String {
        format!(
            "Inline({:?}, {} bytes)",
            self.inner.content_id(),
            self.inner.data().len()
        )
    }
}

/// A file attached to the message.
#[pyclass(frozen, module = "mailwright._mailwright")]
#[derive(Clone)]
pub struct Attachment {
    pub inner: mailwright::Attachment,
}

#[pymethods]
impl Attachment {
    #[new]
    fn new(
        filename: &Bound<'_, PyString>,
        content_type: &Bound<'_, PyString>,
        data: &Bound<'_, PyAny>,
    ) -> PyResult<Self> {
        Ok(Attachment {
            inner: mailwright::Attachment::new(
                string(filename, "filename")?,
                string(content_type, "content_type")?,
                bytes_from(data, "data")?,
            ),
        })
    }

    #[getter]
    fn filename(&self) -> &str {
        self.inner.filename()
    }

    #[getter]
    fn size(&self) -> usize {
        self.inner.data().len()
    }

    fn __repr__(&self) -> String {
        format!(
            "Attachment({:?}, {} bytes)",
            self.inner.filename(),
            self.inner.data().len()
        )
    }
}

/// SendCloud's X-SMTPAPI value, written as the last header.
#[pyclass(frozen, module = "mailwright._mailwright")]
#[derive(Clone)]
pub struct XSmtpApi {
    pub inner: mailwright::XSmtpApi,
}

#[pymethods]
impl XSmtpApi {
    #[new]
    #[pyo3(signature = (*, to=None, sub=None, section=None, open_tracking=None, click_tracking=None, subscription_tracking=None))]
    fn new(
        to: Option<&Bound<'_, PyAny>>,
        sub: Option<&Bound<'_, PyDict>>,
        section: Option<&Bound<'_, PyDict>>,
        open_tracking: Option<bool>,
        click_tracking: Option<bool>,
        subscription_tracking: Option<bool>,
    ) -> PyResult<Self> {
        let mut inner = mailwright::XSmtpApi::new();
        for address in strings(to, "x_smtpapi to")? {
            inner = inner.to(address);
        }
        if let Some(sub) = sub {
            for (name, values) in sub.iter() {
                let values = strings(Some(&values), "x_smtpapi sub")?;
                inner = inner.sub(text(&name, "x_smtpapi sub")?, values);
            }
        }
        for (name, value) in pairs(section.map(|s| s.as_any()), "x_smtpapi section")? {
            inner = inner.section(name, value);
        }
        if let Some(on) = open_tracking {
            inner = inner.open_tracking(on);
        }
        if let Some(on) = click_tracking {
            inner = inner.click_tracking(on);
        }
        if let Some(on) = subscription_tracking {
            inner = inner.subscription_tracking(on);
        }
        Ok(XSmtpApi { inner })
    }

    /// The JSON text (validated).
    fn to_json(&self) -> PyResult<String> {
        self.inner.to_json().py_err()
    }

    /// The header value: JSON, then base64 (validated).
    fn encode(&self) -> PyResult<String> {
        self.inner.encode().py_err()
    }

    fn __repr__(&self) -> String {
        format!(
            "XSmtpApi({})",
            self.inner
                .to_json()
                .unwrap_or_else(|e| format!("<invalid: {}>", e.message()))
        )
    }
}

/// A calendar invitation (iMIP): the iCalendar text (yours) with its iTIP
/// method, written as a ``text/calendar; method=...`` alternative after the
/// text and HTML bodies and, with ``attachment``, also as that ``.ics`` file.
/// Checked when the message is built (InvalidCalendarError,
/// CalendarMethodMismatchError).
#[pyclass(frozen, module = "mailwright._mailwright")]
pub struct Calendar {
    inner: mailwright::Calendar,
    method: String,
    size: usize,
    attachment: Option<String>,
}

#[pymethods]
impl Calendar {
    #[new]
    #[pyo3(signature = (method, content, *, attachment=None))]
    fn new(
        method: &Bound<'_, PyString>,
        content: &Bound<'_, PyString>,
        attachment: Option<&Bound<'_, PyString>>,
    ) -> PyResult<Self> {
        let method = string(method, "method")?;
        let content = string(content, "content")?;
        let size = content.len();
        let mut inner = mailwright::Calendar::new(method.clone(), content);
        let attachment = optional_string(attachment, "attachment")?;
        if let Some(name) = &attachment {
            inner = inner.attachment(name.clone());
        }
        Ok(Calendar {
            inner,
            method,
            size,
            attachment,
        })
    }

    /// The method as given (written in upper case).
    #[getter]
    fn method(&self) -> &str {
        &self.method
    }

    /// The ``.ics`` attachment's file name, if any.
    #[getter]
    fn attachment(&self) -> Option<&str> {
        self.attachment.as_deref()
    }

    fn __repr__(&self) -> String {
        format!(
            "Calendar({:?}, {} bytes, attachment={:?})",
            self.method, self.size, self.attachment
        )
    }
}

fn signers_from(value: Option<&Bound<'_, PyAny>>) -> PyResult<Vec<mailwright::DkimSigner>> {
    let Some(value) = value.filter(|v| !v.is_none()) else {
        return Ok(Vec::new());
    };
    if let Ok(one) = value.cast::<DkimSigner>() {
        return Ok(vec![one.get().inner.clone()]);
    }
    items(Some(value), "dkim", |item| {
        match item.cast::<DkimSigner>() {
            Ok(signer) => Ok(signer.get().inner.clone()),
            Err(_) => Err(PyTypeError::new_err(
                "dkim must be a DkimSigner or a list of DkimSigner",
            )),
        }
    })
}

/// The SMTP envelope of a message.
#[pyclass(frozen, module = "mailwright._mailwright")]
pub struct Envelope {
    #[pyo3(get)]
    sender: String,
    #[pyo3(get)]
    recipients: Vec<String>,
}

#[pymethods]
impl Envelope {
    fn __repr__(&self) -> String {
        format!(
            "Envelope(sender={:?}, recipients={:?})",
            self.sender, self.recipients
        )
    }
}

fn inline_from(value: &Bound<'_, PyAny>) -> PyResult<mailwright::Inline> {
    if let Ok(inline) = value.cast::<Inline>() {
        return Ok(inline.get().inner.clone());
    }
    if let Ok(t) = value.cast::<PyTuple>()
        && (t.len() == 3 || t.len() == 4)
    {
        let mut part = mailwright::Inline::new(
            text(&t.get_item(0)?, "inline content_id")?,
            text(&t.get_item(1)?, "inline content_type")?,
            bytes_from(&t.get_item(2)?, "inline data")?,
        );
        if t.len() == 4 {
            let name = t.get_item(3)?;
            if !name.is_none() {
                part = part.filename(text(&name, "inline filename")?);
            }
        }
        return Ok(part);
    }
    Err(PyTypeError::new_err(
        "inline items must be Inline or (content_id, content_type, data[, filename]) tuples",
    ))
}

fn attachment_from(value: &Bound<'_, PyAny>) -> PyResult<mailwright::Attachment> {
    if let Ok(attachment) = value.cast::<Attachment>() {
        return Ok(attachment.get().inner.clone());
    }
    if let Ok(t) = value.cast::<PyTuple>()
        && t.len() == 3
    {
        return Ok(mailwright::Attachment::new(
            text(&t.get_item(0)?, "attachment filename")?,
            text(&t.get_item(1)?, "attachment content_type")?,
            bytes_from(&t.get_item(2)?, "attachment data")?,
        ));
    }
    Err(PyTypeError::new_err(
        "attachments must be Attachment or (filename, content_type, data) tuples",
    ))
}

/// A built, immutable e-mail message.
#[pyclass(frozen, module = "mailwright._mailwright")]
pub struct Message {
    pub inner: mailwright::Message,
}

#[pymethods]
impl Message {
    #[new]
    #[pyo3(signature = (from_addr, *, to=None, cc=None, bcc=None, reply_to=None, sender=None, envelope_from=None,
        subject=None, text=None, html=None, inline=None, attachments=None, headers=None, sc_custom=None,
        x_smtpapi=None, message_id=None, in_reply_to=None, references=None, date=None, boundary_seed=None,
        list_unsubscribe=None, one_click_unsubscribe=None, list_id=None, calendar=None, dkim=None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        from_addr: &Bound<'_, PyAny>,
        to: Option<&Bound<'_, PyAny>>,
        cc: Option<&Bound<'_, PyAny>>,
        bcc: Option<&Bound<'_, PyAny>>,
        reply_to: Option<&Bound<'_, PyAny>>,
        sender: Option<&Bound<'_, PyAny>>,
        envelope_from: Option<&Bound<'_, PyAny>>,
        subject: Option<&Bound<'_, PyString>>,
        text: Option<&Bound<'_, PyString>>,
        html: Option<&Bound<'_, PyString>>,
        inline: Option<&Bound<'_, PyAny>>,
        attachments: Option<&Bound<'_, PyAny>>,
        headers: Option<&Bound<'_, PyAny>>,
        sc_custom: Option<&Bound<'_, PyAny>>,
        x_smtpapi: Option<PyRef<'_, XSmtpApi>>,
        message_id: Option<&Bound<'_, PyString>>,
        in_reply_to: Option<&Bound<'_, PyAny>>,
        references: Option<&Bound<'_, PyAny>>,
        date: Option<&Bound<'_, PyAny>>,
        boundary_seed: Option<&Bound<'_, PyString>>,
        list_unsubscribe: Option<&Bound<'_, PyAny>>,
        one_click_unsubscribe: Option<bool>,
        list_id: Option<&Bound<'_, PyString>>,
        calendar: Option<PyRef<'_, Calendar>>,
        dkim: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let mut b = mailwright::Message::builder();
        if let Some(from) = optional_mailbox(Some(from_addr), "from_addr")? {
            b = b.from(from);
        }
        if let Some(sender) = optional_mailbox(sender, "sender")? {
            b = b.sender(sender);
        }
        if let Some(envelope_from) = optional_mailbox(envelope_from, "envelope_from")? {
            b = b.envelope_from(envelope_from);
        }
        for m in mailboxes(reply_to, "reply_to")? {
            b = b.reply_to(m);
        }
        for m in mailboxes(to, "to")? {
            b = b.to(m);
        }
        for m in mailboxes(cc, "cc")? {
            b = b.cc(m);
        }
        for m in mailboxes(bcc, "bcc")? {
            b = b.bcc(m);
        }
        if let Some(subject) = optional_string(subject, "subject")? {
            b = b.subject(subject);
        }
        if let Some(text) = optional_string(text, "text")? {
            b = b.text(text);
        }
        if let Some(html) = optional_string(html, "html")? {
            b = b.html(html);
        }
        for part in items(inline, "inline", inline_from)? {
            b = b.inline(part);
        }
        for part in items(attachments, "attachments", attachment_from)? {
            b = b.attachment(part);
        }
        for (name, value) in pairs(headers, "headers")? {
            b = b.header(name, value);
        }
        for (key, value) in pairs(sc_custom, "sc_custom")? {
            b = b.sc_custom(key, value);
        }
        if let Some(api) = x_smtpapi {
            b = b.x_smtpapi(api.inner.clone());
        }
        if let Some(id) = optional_string(message_id, "message_id")? {
            b = b.message_id(id);
        }
        for id in strings(in_reply_to, "in_reply_to")? {
            b = b.in_reply_to(id);
        }
        for id in strings(references, "references")? {
            b = b.references(id);
        }
        if let Some(date) = date.filter(|d| !d.is_none()) {
            b = b.date(unix_seconds(date)?);
        }
        if let Some(seed) = optional_string(boundary_seed, "boundary_seed")? {
            b = b.boundary_seed(seed);
        }
        for uri in strings(list_unsubscribe, "list_unsubscribe")? {
            b = b.list_unsubscribe(uri);
        }
        if let Some(on) = one_click_unsubscribe {
            b = b.one_click_unsubscribe(on);
        }
        if let Some(id) = optional_string(list_id, "list_id")? {
            b = b.list_id(id);
        }
        if let Some(calendar) = calendar {
            b = b.calendar(calendar.inner.clone());
        }
        for signer in signers_from(dkim)? {
            b = b.dkim(signer);
        }
        // Signing (when asked) happens here too, GIL released: one pass that
        // hashes the body as it is written, no copy of the message.
        let inner = py.detach(|| b.build()).py_err()?;
        Ok(Message { inner })
    }

    /// The message as bytes (CRLF line ends), written straight into the
    /// returned object with the GIL released.
    fn as_bytes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        let message = &self.inner;
        let size = py.detach(|| message.size());
        PyBytes::new_with(py, size, |buffer| {
            py.detach(|| message.write_to(&mut &mut buffer[..]))
                .py_err()
        })
    }

    fn __bytes__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        self.as_bytes(py)
    }

    /// Writes the message to a binary file object, in 64 KiB pieces.
    fn write_to(&self, file: &Bound<'_, PyAny>) -> PyResult<()> {
        let mut writer = PyFileWriter {
            file: file.clone(),
            error: None,
        };
        let result = self.inner.write_to(&mut writer);
        if let Some(err) = writer.error {
            return Err(err);
        }
        result.py_err()
    }

    /// The exact size in bytes.
    #[getter]
    fn size(&self, py: Python<'_>) -> usize {
        let message = &self.inner;
        py.detach(|| message.size())
    }

    /// The SMTP envelope: ``sender`` (MAIL FROM) and ``recipients`` (RCPT TO, Bcc included).
    #[getter]
    fn envelope(&self) -> Envelope {
        let envelope = self.inner.envelope();
        Envelope {
            sender: envelope.sender().to_string(),
            recipients: envelope.recipients().map(str::to_string).collect(),
        }
    }

    #[getter]
    fn message_id(&self) -> &str {
        self.inner.message_id()
    }

    #[getter]
    fn date(&self) -> i64 {
        self.inner.date()
    }

    /// True when the message carries at least one DKIM signature.
    #[getter]
    fn is_signed(&self) -> bool {
        self.inner.is_signed()
    }

    /// The MIME structure, e.g. ``multipart/related[text/html, image/png]``.
    #[getter]
    fn structure(&self) -> String {
        self.inner.structure()
    }

    /// Refuses the message (MessageTooLargeError) if over a server's SIZE limit.
    fn check_size(&self, limit: u64) -> PyResult<()> {
        self.inner.check_size(limit).py_err()
    }

    fn __len__(&self, py: Python<'_>) -> usize {
        self.size(py)
    }

    fn __repr__(&self) -> String {
        format!(
            "<Message {} {}>",
            self.inner.message_id(),
            self.inner.structure()
        )
    }
}

struct PyFileWriter<'py> {
    file: Bound<'py, PyAny>,
    error: Option<PyErr>,
}

impl std::io::Write for PyFileWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let py = self.file.py();
        match self.file.call_method1("write", (PyBytes::new(py, buf),)) {
            Ok(_) => Ok(buf.len()),
            Err(err) => {
                self.error = Some(err);
                Err(std::io::Error::other("the file's write() failed"))
            }
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
