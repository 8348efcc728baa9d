// @puyu/extract — Document extraction (MinerU stage): PDF, DOCX and HTML to Markdown and MinerU content_list.json.
export {};
