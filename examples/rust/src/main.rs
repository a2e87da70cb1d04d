fn main() {
    if let Some(subj) = std::env::args().nth(1) { let m = mailwright::Message::builder().from("a@b.com").to("c@d.com").subject(subj).text("x").date(0).build().unwrap(); print!("{}", String::from_utf8_lossy(&m.to_vec())); return; }
    use mailwright::*;
    let m = Message::builder()
        .from(("客服 Support", "support@ifaxin.com"))
        .to("Ben <ben@ifaxin.com>").to("joe@例子.cn")
        .bcc("audit@ifaxin.com")
        .subject("测试内嵌图片")
        .text("plain text\n.leading dot")
        .html(r#"<p>hi <img src="cid:image1"></p>"#)
        .inline(Inline::new("image1", "image/png", vec![0x89, b'P', b'N', b'G']))
        .attachment(Attachment::new("季度报告 2026 第一季度 最终版本 非常长的文件名称.pdf", "application/pdf", b"%PDF-1.4".to_vec()))
        .header("X-Campaign", "spring")
        .x_smtpapi(XSmtpApi::new().to("ben@ifaxin.com").sub("%name%", ["Ben"]))
        .message_id("fixed@ifaxin.com").date(1_426_390_015).boundary_seed("demo")
        .build().unwrap();
    std::io::Write::write_all(&mut std::io::stdout(), &m.to_vec()).unwrap();
    eprintln!("{} {}", m.size(), m.structure());
}
#[allow(dead_code)]
fn dbg_subject() {}
