<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>Workbench</name>
    <message>
        <source>weights %1</source>
        <translation>权重 %1</translation>
    </message>
    <message>
        <source> (normalise, then sum)</source>
        <translation>（先归一化，再求和）</translation>
    </message>
    <message>
        <source>RM v%1</source>
        <translation>奖励模型 v%1</translation>
    </message>
    <message>
        <source>Alignment Workbench: multi-objective GRPO with live aspect weights</source>
        <translation>Alignment Workbench：多目标 GRPO，维度权重可实时调整</translation>
    </message>
    <message>
        <source>Save a PNG of the main window to &lt;file&gt; and quit.</source>
        <translation>将主窗口保存为 PNG 图片 &lt;file&gt;，然后退出。</translation>
    </message>
    <message>
        <source>Window size as WIDTHxHEIGHT, e.g. 1600x1000.</source>
        <translation>窗口大小，格式为 宽x高，例如 1600x1000。</translation>
    </message>
    <message>
        <source>Open the shipped demo (its policy, reward model, prompts and gold judge).</source>
        <translation>打开随附的演示（包括其策略模型、奖励模型、提示词和金标评审）。</translation>
    </message>
    <message>
        <source>Open (or create) the workspace &lt;file&gt;.</source>
        <translation>打开（或创建）工作区 &lt;file&gt;。</translation>
    </message>
    <message>
        <source>Start GRPO for &lt;n&gt; steps at once; with --screenshot, save it when they are done and quit.</source>
        <translation>立即启动 &lt;n&gt; 步 GRPO 训练；与 --screenshot 一起使用时，在训练完成后保存截图并退出。</translation>
    </message>
    <message>
        <source>On quitting, print the longest stall of the GUI event loop.</source>
        <translation>退出时输出 GUI 事件循环最长的一次阻塞。</translation>
    </message>
    <message>
        <source>Compute threads for this run (0: all cores).</source>
        <translation>本次运行使用的计算线程数（0：全部核心）。</translation>
    </message>
    <message>
        <source>User interface language for this run: en, de or zh_CN (default: the Settings menu, else the system&apos;s).</source>
        <translation>本次运行的界面语言：en、de 或 zh_CN（默认：“设置”菜单中的选择，否则跟随系统）。</translation>
    </message>
    <message>
        <source>--size: expected WIDTHxHEIGHT, got &quot;%1&quot;</source>
        <translation>--size：应为 宽x高，实际为“%1”</translation>
    </message>
    <message>
        <source>--threads: expected 0 or a positive count</source>
        <translation>--threads：应为 0 或正整数</translation>
    </message>
    <message>
        <source>--train-steps: expected a positive count</source>
        <translation>--train-steps：应为正整数</translation>
    </message>
    <message>
        <source>Alignment Workbench</source>
        <translation>Alignment Workbench</translation>
    </message>
    <message numerus="yes">
        <source>LibTorch %1 · %2 · %n thread(s)</source>
        <translation>
            <numerusform>LibTorch %1 · %2 · %n 个线程</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%1 (using cpu, %n thread(s))</source>
        <translation>
            <numerusform>%1（改用 CPU，%n 个线程）</numerusform>
        </translation>
    </message>
    <message>
        <source>cannot save screenshot: %1</source>
        <translation>无法保存截图：%1</translation>
    </message>
    <message>
        <source>cannot start training</source>
        <translation>无法开始训练</translation>
    </message>
    <message>
        <source>A workspace (.awb) to open, as --workspace.</source>
        <translation>要打开的工作区（.awb），同 --workspace。</translation>
    </message>
    <message>
        <source>name one workspace, not %1</source>
        <translation>只能指定一个工作区，而不是 %1</translation>
    </message>
</context>
<context>
    <name>awb::LabelEditor</name>
    <message>
        <source>Annotator:</source>
        <translation>标注者：</translation>
    </message>
    <message>
        <source>your name, stored with every label</source>
        <translation>您的名字，随每条标注一起保存</translation>
    </message>
    <message>
        <source>Recorded with each label you submit; remembered between sessions</source>
        <translation>随您提交的每条标注一起记录；下次启动时仍会保留</translation>
    </message>
    <message>
        <source>◀ Previous (P)</source>
        <translation>◀ 上一个 (P)</translation>
    </message>
    <message>
        <source>Undo (Ctrl+Z)</source>
        <translation>撤销 (Ctrl+Z)</translation>
    </message>
    <message>
        <source>Restore the labels the last submitted sample had before</source>
        <translation>恢复最近提交的样本在提交之前的标注</translation>
    </message>
    <message>
        <source>Submit (Enter)</source>
        <translation>提交 (Enter)</translation>
    </message>
    <message>
        <source>Store these labels and move to the next sample</source>
        <translation>保存这些标注并转到下一个样本</translation>
    </message>
    <message>
        <source>Next (N) ▶</source>
        <translation>下一个 (N) ▶</translation>
    </message>
    <message>
        <source>Labels stored since the reward model in use was trained</source>
        <translation>自当前使用的奖励模型训练以来保存的标注数</translation>
    </message>
    <message>
        <source>model %1</source>
        <translation>模型 %1</translation>
    </message>
    <message>
        <source>The reward model&apos;s score for %1</source>
        <translation>奖励模型对 %1 的评分</translation>
    </message>
    <message>
        <source>model —</source>
        <translation>模型 —</translation>
    </message>
    <message>
        <source>No sample selected</source>
        <translation>未选择样本</translation>
    </message>
    <message>
        <source>Sample %1 · step %2 · group %3 · #%4%5</source>
        <translation>样本 %1 · 第 %2 步 · 组 %3 · #%4%5</translation>
    </message>
    <message>
        <source> · labelled</source>
        <translation> · 已标注</translation>
    </message>
    <message>
        <source> · unlabelled, pre-filled from the model</source>
        <translation> · 未标注，已用模型评分预填</translation>
    </message>
    <message>
        <source>1 label since reward model v%1</source>
        <translation>自奖励模型 v%1 以来 1 条标注</translation>
    </message>
    <message>
        <source>%1 labels since reward model v%2</source>
        <translation>自奖励模型 v%2 以来 %1 条标注</translation>
    </message>
    <message>
        <source>1 label, no reward model trained yet</source>
        <translation>1 条标注，尚未训练奖励模型</translation>
    </message>
    <message>
        <source>%1 labels, no reward model trained yet</source>
        <translation>%1 条标注，尚未训练奖励模型</translation>
    </message>
    <message>
        <source>Keys: 1–5 five-point scale (1 = min, 3 = middle, 5 = max), 0 = min, H/L nudge ±5 %, J/↓ next aspect, K/↑ previous, Enter submit and go on, N/P next/previous sample, Ctrl+Z undo.</source>
        <translation>按键：1–5 五级评分（1 = 最小，3 = 中间，5 = 最大），0 = 最小，H/L 微调 ±5 %，J/↓ 下一个维度，K/↑ 上一个维度，Enter 提交并继续，N/P 下一个/上一个样本，Ctrl+Z 撤销。</translation>
    </message>
    <message>
        <source>%1, %2 to %3. Keys 1–5 set it on a five-point scale.</source>
        <translation>%1，范围 %2 到 %3。按 1–5 键按五级评分设置。</translation>
    </message>
</context>
<context>
    <name>awb::MainWindow</name>
    <message>
        <source>Alignment Workbench</source>
        <translation>Alignment Workbench</translation>
    </message>
    <message>
        <source>&lt;h2&gt;Alignment Workbench&lt;/h2&gt;&lt;p&gt;Multi-objective GRPO against a multi-aspect reward model.&lt;/p&gt;&lt;p&gt;Open a workspace (Ctrl+O) or the demo (File menu) to start.&lt;/p&gt;</source>
        <translation>&lt;h2&gt;Alignment Workbench&lt;/h2&gt;&lt;p&gt;基于多维度奖励模型的多目标 GRPO。&lt;/p&gt;&lt;p&gt;打开一个工作区 (Ctrl+O) 或演示（“文件”菜单）即可开始。&lt;/p&gt;</translation>
    </message>
    <message>
        <source>No workspace open</source>
        <translation>未打开工作区</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;New workspace…</source>
        <translation>新建工作区(&amp;N)…</translation>
    </message>
    <message>
        <source>&amp;Open workspace…</source>
        <translation>打开工作区(&amp;O)…</translation>
    </message>
    <message>
        <source>Open the &amp;demo</source>
        <translation>打开演示(&amp;D)</translation>
    </message>
    <message>
        <source>&amp;Import prompts…</source>
        <translation>导入提示词(&amp;I)…</translation>
    </message>
    <message>
        <source>Ctrl+I</source>
        <translation>Ctrl+I</translation>
    </message>
    <message>
        <source>Export &amp;samples…</source>
        <translation>导出样本(&amp;S)…</translation>
    </message>
    <message>
        <source>Ctrl+E</source>
        <translation>Ctrl+E</translation>
    </message>
    <message>
        <source>Export run &amp;metrics (CSV)…</source>
        <translation>导出运行指标(&amp;M) (CSV)…</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <source>&amp;Settings</source>
        <translation>设置(&amp;S)</translation>
    </message>
    <message>
        <source>&amp;Language</source>
        <translation>语言(&amp;L)</translation>
    </message>
    <message>
        <source>Language of the user interface; a change applies at the next start</source>
        <translation>界面语言；更改将在下次启动时生效</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <source>&amp;About Alignment Workbench</source>
        <translation>关于 Alignment Workbench(&amp;A)</translation>
    </message>
    <message>
        <source>About Alignment Workbench</source>
        <translation>关于 Alignment Workbench</translation>
    </message>
    <message>
        <source>System default</source>
        <translation>跟随系统</translation>
    </message>
    <message>
        <source>Applies at the next start</source>
        <translation>下次启动时生效</translation>
    </message>
    <message>
        <source>Language: %1. Restart Alignment Workbench to apply it.</source>
        <translation>语言：%1。请重新启动 Alignment Workbench 以应用。</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1：%2</translation>
    </message>
    <message>
        <source>Export &amp;labels…</source>
        <translation>导出标注(&amp;L)…</translation>
    </message>
    <message>
        <source>Im&amp;port (merge) labels…</source>
        <translation>导入（合并）标注(&amp;P)…</translation>
    </message>
    <message>
        <source>Export &amp;trained policy…</source>
        <translation>导出训练后的策略(&amp;T)…</translation>
    </message>
    <message>
        <source>Export &amp;reward model…</source>
        <translation>导出奖励模型(&amp;R)…</translation>
    </message>
    <message>
        <source>Import re&amp;ward model…</source>
        <translation>导入奖励模型(&amp;W)…</translation>
    </message>
    <message>
        <source>&lt;p&gt;&lt;b&gt;Alignment Workbench %1&lt;/b&gt;&lt;/p&gt;&lt;p&gt;GRPO with live aspect weights, a Pareto view of the trade-offs and a relabel-retrain loop for the reward model.&lt;/p&gt;&lt;p&gt;%2&lt;/p&gt;&lt;p&gt;Free software under the GNU General Public License, version 3 or (at your option) any later version; it comes with no warranty.&lt;/p&gt;</source>
        <translation>&lt;p&gt;&lt;b&gt;Alignment Workbench %1&lt;/b&gt;&lt;/p&gt;&lt;p&gt;维度权重可实时调整的 GRPO，展示各维度权衡的帕累托视图，以及奖励模型的“重新标注—重新训练”循环。&lt;/p&gt;&lt;p&gt;%2&lt;/p&gt;&lt;p&gt;自由软件，依据 GNU 通用公共许可证第 3 版或（由您选择）任何更新版本发布；不提供任何担保。&lt;/p&gt;</translation>
    </message>
    <message>
        <source>&amp;New reward model from data…</source>
        <translation>从数据新建奖励模型(&amp;N)…</translation>
    </message>
    <message>
        <source>Sample for la&amp;belling…</source>
        <translation>采样以供标注(&amp;B)…</translation>
    </message>
</context>
<context>
    <name>awb::ModelExportDialog</name>
    <message>
        <source>Export trained policy</source>
        <translation>导出训练后的策略</translation>
    </message>
    <message>
        <source>Export reward model</source>
        <translation>导出奖励模型</translation>
    </message>
    <message>
        <source>&amp;Checkpoint:</source>
        <translation>检查点(&amp;C)：</translation>
    </message>
    <message>
        <source>&amp;Version:</source>
        <translation>版本(&amp;V)：</translation>
    </message>
    <message>
        <source>&amp;Model folder (Hugging Face; LoRA adapters merged in)</source>
        <translation>模型文件夹（Hugging Face；已合并 LoRA 适配器）(&amp;M)</translation>
    </message>
    <message>
        <source>LoRA &amp;adapters only (PEFT layout; needs the base model)</source>
        <translation>仅 LoRA 适配器（PEFT 布局；需要基础模型）(&amp;A)</translation>
    </message>
    <message>
        <source>Layout:</source>
        <translation>布局：</translation>
    </message>
    <message>
        <source>&amp;Browse…</source>
        <translation>浏览(&amp;B)…</translation>
    </message>
    <message>
        <source>New &amp;folder:</source>
        <translation>新文件夹(&amp;F)：</translation>
    </message>
    <message>
        <source>&amp;Export</source>
        <translation>导出(&amp;E)</translation>
    </message>
    <message>
        <source>Folder to create the export in</source>
        <translation>在其中创建导出的文件夹</translation>
    </message>
    <message>
        <source>No run of this workspace has a checkpoint yet.</source>
        <translation>此工作区的运行尚无检查点。</translation>
    </message>
    <message>
        <source>The workspace has no reward model yet.</source>
        <translation>此工作区尚无奖励模型。</translation>
    </message>
    <message>
        <source>Name a folder to create.</source>
        <translation>请指定要创建的文件夹。</translation>
    </message>
    <message>
        <source>%1 exists and is not an empty folder.</source>
        <translation>%1 已存在且不是空文件夹。</translation>
    </message>
    <message>
        <source>Writes adapter_config.json, adapter_model.safetensors and the tokenizer; PEFT loads them onto the base model named inside.</source>
        <translation>写入 adapter_config.json、adapter_model.safetensors 和分词器；PEFT 会将其加载到其中指定的基础模型上。</translation>
    </message>
    <message>
        <source>Writes a self-contained copy (LoRA adapters merged in) that File ▸ Import reward model reads back, here or in another workspace.</source>
        <translation>写入一个独立的副本（已合并 LoRA 适配器），可在此处或其他工作区通过“文件 ▸ 导入奖励模型”读回。</translation>
    </message>
    <message>
        <source>float32 (as trained)</source>
        <translation>float32（与训练时相同）</translation>
    </message>
    <message>
        <source>bfloat16 (half the size)</source>
        <translation>bfloat16（一半大小）</translation>
    </message>
    <message>
        <source>float16 (half the size)</source>
        <translation>float16（一半大小）</translation>
    </message>
    <message>
        <source>Precision of the weights written; adapters are always float32</source>
        <translation>写入权重的精度；适配器始终为 float32</translation>
    </message>
    <message>
        <source>&amp;Weights:</source>
        <translation>权重(&amp;W)：</translation>
    </message>
    <message>
        <source>uniform, or e.g. safety=1,actionability=0.2</source>
        <translation>均匀，或例如 safety=1,actionability=0.2</translation>
    </message>
    <message>
        <source>A steerable run with conditioning &quot;lora&quot; is written at one vector of aspect weights; export again for another trade-off</source>
        <translation>conditioning 为 &quot;lora&quot; 的可调控运行按一个方面权重向量写出；换一种权衡请再次导出</translation>
    </message>
    <message>
        <source>At as&amp;pect weights:</source>
        <translation>方面权重(&amp;P)：</translation>
    </message>
    <message>
        <source>Writes config.json, model.safetensors (%1) and the tokenizer: a folder transformers loads as it is.</source>
        <translation>写入 config.json、model.safetensors（%1）和分词器：transformers 可直接加载的文件夹。</translation>
    </message>
</context>
<context>
    <name>awb::NewRewardModelDialog</name>
    <message>
        <source>New reward model</source>
        <translation>新建奖励模型</translation>
    </message>
    <message>
        <source>A Hugging Face model folder (config.json, safetensors, tokenizer.json): the backbone</source>
        <translation>Hugging Face 模型文件夹(config.json、safetensors、tokenizer.json):作为主干</translation>
    </message>
    <message>
        <source>&amp;Browse…</source>
        <translation>浏览(&amp;B)…</translation>
    </message>
    <message>
        <source>&amp;Base model:</source>
        <translation>基础模型(&amp;B):</translation>
    </message>
    <message>
        <source>JSONL or CSV (optionally .gz): per-aspect scores (labels, flat columns, HelpSteer2) or preference pairs ({prompt, chosen, rejected}, HH-RLHF), shown as FILE:ASPECT</source>
        <translation>JSONL 或 CSV(可为 .gz):各维度评分(labels、平铺列、HelpSteer2)或偏好对({prompt, chosen, rejected}、HH-RLHF),显示为 文件:维度</translation>
    </message>
    <message>
        <source>&amp;Add…</source>
        <translation>添加(&amp;A)…</translation>
    </message>
    <message>
        <source>&amp;Remove</source>
        <translation>移除(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Data files:</source>
        <translation>数据文件(&amp;D):</translation>
    </message>
    <message>
        <source>Also this workspace&apos;s &amp;human labels</source>
        <translation>同时使用此工作区的人工标注(&amp;H)</translation>
    </message>
    <message>
        <source>as found in the data</source>
        <translation>按数据中所见</translation>
    </message>
    <message>
        <source>NAME[:MIN:MAX],… — the aspects the model scores and their ranges</source>
        <translation>NAME[:MIN:MAX],… —— 模型评分的维度及其范围</translation>
    </message>
    <message>
        <source>As&amp;pects:</source>
        <translation>维度(&amp;P):</translation>
    </message>
    <message>
        <source>&amp;LoRA adapters on the base (else every weight trains)</source>
        <translation>在基础模型上使用 LoRA 适配器(&amp;L)(否则训练全部权重)</translation>
    </message>
    <message>
        <source>Training:</source>
        <translation>训练:</translation>
    </message>
    <message>
        <source>&amp;Epochs (at most):</source>
        <translation>轮数(最多)(&amp;E):</translation>
    </message>
    <message>
        <source>&amp;Train</source>
        <translation>训练(&amp;T)</translation>
    </message>
    <message>
        <source>Base model folder</source>
        <translation>基础模型文件夹</translation>
    </message>
    <message>
        <source>Reward-model data</source>
        <translation>奖励模型数据</translation>
    </message>
    <message>
        <source>Data files (*.jsonl *.jsonl.gz *.json *.csv *.csv.gz *.gz);;All files (*)</source>
        <translation>数据文件 (*.jsonl *.jsonl.gz *.json *.csv *.csv.gz *.gz);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Preference pairs</source>
        <translation>偏好对</translation>
    </message>
    <message>
        <source>%1 holds preference pairs. Which aspect do they supervise?</source>
        <translation>%1 包含偏好对。它们监督哪个维度?</translation>
    </message>
    <message>
        <source>Choose a base model folder.</source>
        <translation>请选择基础模型文件夹。</translation>
    </message>
    <message>
        <source>%1 has no tokenizer.json.</source>
        <translation>%1 没有 tokenizer.json。</translation>
    </message>
    <message>
        <source>Add a data file, or use this workspace&apos;s labels.</source>
        <translation>请添加数据文件,或使用此工作区的标注。</translation>
    </message>
    <message>
        <source>%1: %2, %3 records</source>
        <translation>%1:%2,%3 条记录</translation>
    </message>
    <message>
        <source>Heads on the one backbone, each trained on its own bootstrap resample of the data: 2 or more give every score a spread, the model&apos;s uncertainty</source>
        <translation>同一主干上的多个头，每个头在各自的自助重采样数据上训练：2 个及以上时每个评分都带有离散度，即模型的不确定性</translation>
    </message>
    <message>
        <source>Ensemble &amp;heads:</source>
        <translation>集成头数(&amp;H)：</translation>
    </message>
</context>
<context>
    <name>awb::OptionsForm</name>
    <message>
        <source>Inputs</source>
        <translation>输入</translation>
    </message>
    <message>
        <source>Step &amp; sampling</source>
        <translation>步骤与采样</translation>
    </message>
    <message>
        <source>Objective</source>
        <translation>目标函数</translation>
    </message>
    <message>
        <source>Optimiser</source>
        <translation>优化器</translation>
    </message>
    <message>
        <source>LoRA</source>
        <translation>LoRA</translation>
    </message>
    <message>
        <source>Bookkeeping</source>
        <translation>记录与保存</translation>
    </message>
    <message>
        <source>Other</source>
        <translation>其他</translation>
    </message>
    <message>
        <source>Filter options (Ctrl+F)</source>
        <translation>筛选选项 (Ctrl+F)</translation>
    </message>
    <message>
        <source>Show only the options whose name or description contains this text (Ctrl+F)</source>
        <translation>只显示名称或说明中包含此文本的选项 (Ctrl+F)</translation>
    </message>
    <message>
        <source>Options that differ from their defaults (shown in bold)</source>
        <translation>与默认值不同的选项（以粗体显示）</translation>
    </message>
    <message>
        <source>Reset</source>
        <translation>重置</translation>
    </message>
    <message>
        <source>Reset every option to its default</source>
        <translation>将所有选项重置为默认值</translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation>%1 (%2)</translation>
    </message>
    <message>
        <source>Show or hide this group</source>
        <translation>显示或隐藏此组</translation>
    </message>
    <message>
        <source>defaults</source>
        <translation>默认值</translation>
    </message>
    <message numerus="yes">
        <source>%n changed</source>
        <translation>
            <numerusform>已更改 %n 项</numerusform>
        </translation>
    </message>
    <message>
        <source>%1: &quot;%2&quot; is not a number</source>
        <translation>%1：“%2”不是数字</translation>
    </message>
    <message>
        <source>on</source>
        <translation>开</translation>
    </message>
    <message>
        <source>off</source>
        <translation>关</translation>
    </message>
    <message>
        <source>(empty)</source>
        <translation>（空）</translation>
    </message>
    <message>
        <source>Choose a file for %1</source>
        <translation>为 %1 选择文件</translation>
    </message>
    <message>
        <source>Choose a folder for %1</source>
        <translation>为 %1 选择文件夹</translation>
    </message>
    <message>
        <source>%1
Not a number: use e.g. 0.2 or 5e-05</source>
        <translation>%1
不是数字：请使用例如 0.2 或 5e-05</translation>
    </message>
    <message>
        <source>%1
Default: %2</source>
        <translation>%1
默认值：%2</translation>
    </message>
</context>
<context>
    <name>awb::ParetoView</name>
    <message>
        <source>Aspect on the horizontal axis (Alt+X)</source>
        <translation>横轴上的维度 (Alt+X)</translation>
    </message>
    <message>
        <source>Aspect on the vertical axis (Alt+Y)</source>
        <translation>纵轴上的维度 (Alt+Y)</translation>
    </message>
    <message>
        <source>&amp;X axis:</source>
        <translation>X 轴(&amp;X)：</translation>
    </message>
    <message>
        <source>&amp;Y axis:</source>
        <translation>Y 轴(&amp;Y)：</translation>
    </message>
    <message>
        <source>Swap</source>
        <translation>交换</translation>
    </message>
    <message>
        <source>Swap the X and Y aspects (Ctrl+Shift+X)</source>
        <translation>交换 X 轴和 Y 轴的维度 (Ctrl+Shift+X)</translation>
    </message>
    <message>
        <source>Reward model</source>
        <translation>奖励模型</translation>
    </message>
    <message>
        <source>Gold judge</source>
        <translation>金标评审</translation>
    </message>
    <message>
        <source>Place the points by the reward model&apos;s scores (what training optimises) or by the gold judge&apos;s (the ground truth)</source>
        <translation>按奖励模型的评分（训练所优化的目标）或金标评审的评分（真实标准）放置各点</translation>
    </message>
    <message>
        <source>&amp;Values:</source>
        <translation>数值(&amp;V)：</translation>
    </message>
    <message>
        <source>Area dominated by the non-dominated samples and bounded below by the reference point (both aspects maximised). Right-click the plot to move the reference point.</source>
        <translation>由非支配样本所支配、并以参考点为下界的区域（两个维度均为越大越好）。在图上右键单击可移动参考点。</translation>
    </message>
    <message>
        <source>No aspects to plot.</source>
        <translation>没有可绘制的维度。</translation>
    </message>
    <message>
        <source>reference (%1 %2, %3 %4)%5</source>
        <translation>参考点（%1 %2，%3 %4）%5</translation>
    </message>
    <message>
        <source>, set by hand</source>
        <translation>，手动设置</translation>
    </message>
    <message>
        <source>Hypervolume: no samples shown. Click a point of the trajectory to load that step&apos;s samples. %1</source>
        <translation>超体积：未显示样本。单击轨迹上的一点以加载该步的样本。%1</translation>
    </message>
    <message>
        <source>Hypervolume of step %1&apos;s front: &lt;b&gt;%2&lt;/b&gt; &amp;nbsp;·&amp;nbsp; %3 of %4 samples non-dominated &amp;nbsp;·&amp;nbsp; %5</source>
        <translation>第 %1 步前沿的超体积：&lt;b&gt;%2&lt;/b&gt; &amp;nbsp;·&amp;nbsp; %4 个样本中 %3 个非支配 &amp;nbsp;·&amp;nbsp; %5</translation>
    </message>
    <message>
        <source>Sample #%1 · step %2 · prompt %3, completion %4%5
%6 %7 · %8 %9 · reward %10
Click to open the sample.</source>
        <translation>样本 #%1 · 第 %2 步 · 提示词 %3，回复 %4%5
%6 %7 · %8 %9 · 奖励 %10
单击打开该样本。</translation>
    </message>
    <message>
        <source> · on the front</source>
        <translation> · 位于前沿上</translation>
    </message>
    <message>
        <source>Step %1 means · %2 %3 · %4 %5 · reward %6
Click to show this step&apos;s samples.</source>
        <translation>第 %1 步均值 · %2 %3 · %4 %5 · 奖励 %6
单击显示该步的样本。</translation>
    </message>
    <message>
        <source>Set hypervolume reference here (%1, %2)</source>
        <translation>将超体积参考点设在此处（%1，%2）</translation>
    </message>
    <message>
        <source>Reset reference to the aspect minimums</source>
        <translation>将参考点重置为各维度的最小值</translation>
    </message>
    <message>
        <source>Show legend</source>
        <translation>显示图例</translation>
    </message>
    <message>
        <source>Reset zoom (double-click)</source>
        <translation>重置缩放（双击）</translation>
    </message>
    <message>
        <source>gold judge</source>
        <translation>金标评审</translation>
    </message>
    <message>
        <source>reward model</source>
        <translation>奖励模型</translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation>%1（%2）</translation>
    </message>
    <message>
        <source>Samples, step %1 (%2)</source>
        <translation>样本，第 %1 步（%2）</translation>
    </message>
    <message>
        <source>step</source>
        <translation>步</translation>
    </message>
    <message>
        <source>step %1 → %2</source>
        <translation>第 %1 步 → 第 %2 步</translation>
    </message>
    <message>
        <source>Front staircase</source>
        <translation>前沿阶梯线</translation>
    </message>
    <message>
        <source>Mean of step %1</source>
        <translation>第 %1 步的均值</translation>
    </message>
    <message>
        <source>Front (%1 points)</source>
        <translation>前沿（%1 个点）</translation>
    </message>
    <message>
        <source>Reference point</source>
        <translation>参考点</translation>
    </message>
    <message>
        <source>Dominated area</source>
        <translation>被支配区域</translation>
    </message>
    <message>
        <source>Step means (old → new)</source>
        <translation>各步均值（旧 → 新）</translation>
    </message>
    <message>
        <source>Exp&amp;ort</source>
        <translation>导出(&amp;O)</translation>
    </message>
    <message>
        <source>Save the plot (PNG, SVG, PDF) or the plotted points with their run and step (CSV)</source>
        <translation>保存图表（PNG、SVG、PDF）或带运行和步骤的绘制点（CSV）</translation>
    </message>
    <message>
        <source>Export Pareto plot</source>
        <translation>导出帕累托图</translation>
    </message>
    <message>
        <source>Export plotted points as &amp;CSV…</source>
        <translation>将绘制点导出为 CSV(&amp;C)…</translation>
    </message>
    <message>
        <source>Pareto plot</source>
        <translation>帕累托图</translation>
    </message>
    <message>
        <source>Pareto plot: %1 against %2</source>
        <translation>帕累托图：%1 对 %2</translation>
    </message>
    <message>
        <source>Swept front of %1: hypervolume &lt;b&gt;%2&lt;/b&gt; (%3 weight vectors)</source>
        <translation>%1 的扫描前沿：超体积 &lt;b&gt;%2&lt;/b&gt;（%3 个权重向量）</translation>
    </message>
    <message>
        <source> &amp;nbsp;·&amp;nbsp; %1 fixed-weight runs: &lt;b&gt;%2&lt;/b&gt;</source>
        <translation> &amp;nbsp;·&amp;nbsp; %1 个固定权重运行：&lt;b&gt;%2&lt;/b&gt;</translation>
    </message>
    <message>
        <source>A swept front is measured on other axes or values; choose those to see it.</source>
        <translation>扫描前沿是在其他坐标轴或数值上测得的；选择它们即可查看。</translation>
    </message>
    <message>
        <source>S&amp;weep front</source>
        <translation>扫描前沿(&amp;W)</translation>
    </message>
    <message>
        <source>Generate from the shown run&apos;s newest checkpoint at weight vectors spread between the two aspects on the axes (a steerable run), on its held-out prompts; the workspace&apos;s fixed-weight runs become single points</source>
        <translation>在所示运行的最新检查点上，以分布在两个坐标轴方面之间的权重向量（可调控运行）对其保留提示进行生成；工作区中固定权重的运行显示为单个点</translation>
    </message>
    <message>
        <source>On the held-out prompts</source>
        <translation>在保留提示上</translation>
    </message>
    <message>
        <source>On the adversarial held-out prompts (demo)</source>
        <translation>在对抗性保留提示上（演示）</translation>
    </message>
    <message>
        <source>Clear the swept front</source>
        <translation>清除扫描前沿</translation>
    </message>
    <message>
        <source>Swept front of %1 (HV %2)</source>
        <translation>%1 的扫描前沿（HV %2）</translation>
    </message>
    <message>
        <source>Fixed-weight runs (HV %1)</source>
        <translation>固定权重运行（HV %1）</translation>
    </message>
</context>
<context>
    <name>awb::PlaygroundPanel</name>
    <message>
        <source>&amp;Checkpoint:</source>
        <translation>检查点(&amp;C)：</translation>
    </message>
    <message>
        <source>&amp;Prompt:</source>
        <translation>提示(&amp;P)：</translation>
    </message>
    <message>
        <source>Type a prompt, then Ctrl+Return</source>
        <translation>输入提示，然后按 Ctrl+Return</translation>
    </message>
    <message>
        <source>Compare with &amp;B</source>
        <translation>与 B 比较(&amp;B)</translation>
    </message>
    <message>
        <source>&amp;Samples:</source>
        <translation>样本数(&amp;S)：</translation>
    </message>
    <message>
        <source>&amp;Generate</source>
        <translation>生成(&amp;G)</translation>
    </message>
    <message>
        <source>Generate (Ctrl+Return)</source>
        <translation>生成（Ctrl+Return）</translation>
    </message>
    <message>
        <source>A</source>
        <translation>A</translation>
    </message>
    <message>
        <source>B</source>
        <translation>B</translation>
    </message>
    <message>
        <source>No checkpoint yet: train a run (a steerable one has conditioning &quot;lora&quot; or &quot;prompt&quot;).</source>
        <translation>还没有检查点：请先训练一个运行（可调控运行的 conditioning 为 &quot;lora&quot; 或 &quot;prompt&quot;）。</translation>
    </message>
    <message>
        <source>Steerable: the policy answers for the weights below.</source>
        <translation>可调控：策略按下面的权重作答。</translation>
    </message>
    <message>
        <source>Not steerable: this run answers at the weights it trained with (%1).</source>
        <translation>不可调控：此运行按其训练时的权重作答（%1）。</translation>
    </message>
    <message>
        <source>Type a prompt first.</source>
        <translation>请先输入提示。</translation>
    </message>
    <message>
        <source>Weights: %1</source>
        <translation>权重：%1</translation>
    </message>
    <message>
        <source>gold</source>
        <translation>金标准</translation>
    </message>
</context>
<context>
    <name>awb::PlotExport</name>
    <message>
        <source>Could not write %1: %2</source>
        <translation>无法写入 %1：%2</translation>
    </message>
    <message>
        <source>%1, exported from Alignment Workbench</source>
        <translation>%1，由 Alignment Workbench 导出</translation>
    </message>
    <message>
        <source>PNG images (*.png)</source>
        <translation>PNG 图片 (*.png)</translation>
    </message>
    <message>
        <source>SVG images (*.svg)</source>
        <translation>SVG 图片 (*.svg)</translation>
    </message>
    <message>
        <source>PDF documents (*.pdf)</source>
        <translation>PDF 文档 (*.pdf)</translation>
    </message>
    <message>
        <source>CSV files (*.csv)</source>
        <translation>CSV 文件 (*.csv)</translation>
    </message>
    <message>
        <source>Export failed</source>
        <translation>导出失败</translation>
    </message>
    <message>
        <source>Could not write %1: &quot;%2&quot; is not an image kind (png, svg or pdf)</source>
        <translation>无法写入 %1：“%2”不是图片类型（png、svg 或 pdf）</translation>
    </message>
    <message>
        <source>the plot could not be drawn</source>
        <translation>无法绘制图表</translation>
    </message>
    <message>
        <source>Export as &amp;PNG image…</source>
        <translation>导出为 PNG 图片(&amp;P)…</translation>
    </message>
    <message>
        <source>Export as S&amp;VG…</source>
        <translation>导出为 SVG(&amp;V)…</translation>
    </message>
    <message>
        <source>Export as P&amp;DF…</source>
        <translation>导出为 PDF(&amp;D)…</translation>
    </message>
</context>
<context>
    <name>awb::RewardCurvesView</name>
    <message>
        <source>combined reward</source>
        <translation>综合奖励</translation>
    </message>
    <message>
        <source>step</source>
        <translation>步</translation>
    </message>
    <message>
        <source>KL</source>
        <translation>KL</translation>
    </message>
    <message>
        <source>loss</source>
        <translation>损失</translation>
    </message>
    <message>
        <source>gold %1</source>
        <translation>金标 %1</translation>
    </message>
    <message>
        <source>gold objective</source>
        <translation>金标目标</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1：%2</translation>
    </message>
    <message>
        <source>&lt;b&gt;%1, step %2&lt;/b&gt;</source>
        <translation>&lt;b&gt;%1，第 %2 步&lt;/b&gt;</translation>
    </message>
    <message>
        <source> (gold %1)</source>
        <translation>（金标 %1）</translation>
    </message>
    <message>
        <source>combined reward: %1</source>
        <translation>综合奖励：%1</translation>
    </message>
    <message>
        <source>gold objective: %1</source>
        <translation>金标目标：%1</translation>
    </message>
    <message>
        <source>KL: %1 · loss: %2</source>
        <translation>KL：%1 · 损失：%2</translation>
    </message>
    <message>
        <source>&lt;i&gt;%1&lt;/i&gt;</source>
        <translation>&lt;i&gt;%1&lt;/i&gt;</translation>
    </message>
    <message>
        <source>&amp;Smoothing</source>
        <translation>平滑(&amp;S)</translation>
    </message>
    <message>
        <source>Exponential moving average weight (as in TensorBoard), 0 = raw values. Exports always write raw values.</source>
        <translation>指数移动平均的权重（与 TensorBoard 相同），0 = 原始值。导出时始终写入原始值。</translation>
    </message>
    <message>
        <source>Draw the unsmoothed values faintly behind the smoothed curves</source>
        <translation>在平滑曲线后方淡淡地绘制未平滑的数值</translation>
    </message>
    <message>
        <source>&amp;Reset view</source>
        <translation>重置视图(&amp;R)</translation>
    </message>
    <message>
        <source>Export raw values as &amp;CSV…</source>
        <translation>将原始值导出为 CSV(&amp;C)…</translation>
    </message>
    <message>
        <source>&amp;Export</source>
        <translation>导出(&amp;E)</translation>
    </message>
    <message>
        <source>run %1</source>
        <translation>运行 %1</translation>
    </message>
    <message>
        <source>Reward curves</source>
        <translation>奖励曲线</translation>
    </message>
    <message>
        <source>Export reward curves</source>
        <translation>导出奖励曲线</translation>
    </message>
    <message>
        <source>Ra&amp;w</source>
        <translation>原始值(&amp;W)</translation>
    </message>
    <message>
        <source>score (gold dashed)</source>
        <translation>得分（金标为虚线）</translation>
    </message>
    <message>
        <source>Show all steps and fit the value axes (R).
Mouse wheel zooms the step axis, dragging pans it.
Click a legend entry to hide or show its curve.
Hover for the values of the newest run; double click opens that step.</source>
        <translation>显示所有步并适配数值轴 (R)。
鼠标滚轮缩放步数轴，拖动可平移。
单击图例条目可隐藏或显示其曲线。
悬停显示最新运行的数值；双击打开该步。</translation>
    </message>
    <message>
        <source>Save the plot (PNG, SVG, PDF) or the raw values of every run (CSV)</source>
        <translation>保存图表（PNG、SVG、PDF）或所有运行的原始值（CSV）</translation>
    </message>
    <message>
        <source>wall-clock seconds</source>
        <translation>实际耗时（秒）</translation>
    </message>
    <message>
        <source>tokens generated</source>
        <translation>已生成词元</translation>
    </message>
    <message>
        <source>&amp;x axis</source>
        <translation>&amp;x 轴</translation>
    </message>
    <message>
        <source>wall-clock s</source>
        <translation>耗时（秒）</translation>
    </message>
    <message>
        <source>tokens</source>
        <translation>词元</translation>
    </message>
    <message>
        <source>value loss</source>
        <translation>价值损失</translation>
    </message>
    <message>
        <source>reward margin</source>
        <translation>奖励差距</translation>
    </message>
    <message>
        <source>preference accuracy</source>
        <translation>偏好准确率</translation>
    </message>
    <message>
        <source>√KL from the reference (per completion)</source>
        <translation>相对参考模型的 √KL（每条回复）</translation>
    </message>
    <message>
        <source>%1: gold peaks, proxy still rising</source>
        <translation>%1：金标准见顶，代理分仍在上升</translation>
    </message>
    <message>
        <source>labels %1</source>
        <translation>标注 %1</translation>
    </message>
    <message>
        <source>√KL</source>
        <translation>√KL</translation>
    </message>
    <message>
        <source>Plot against the step, the run&apos;s wall-clock seconds or its generated tokens, so that runs of different algorithms compare fairly; or against √KL from the reference, where over-optimisation shows as gold falling while the proxy rises</source>
        <translation>以步数、运行的实际耗时秒数或生成的 token 数为横轴，使不同算法的运行可以公平比较；或以相对参考模型的 √KL 为横轴，过度优化表现为代理分上升而金标准下降</translation>
    </message>
    <message>
        <source>Export &amp;over-optimisation points as CSV…</source>
        <translation>将过度优化数据点导出为 CSV(&amp;O)…</translation>
    </message>
    <message>
        <source>lambda %1</source>
        <translation>lambda %1</translation>
    </message>
    <message>
        <source>%1 violation rate</source>
        <translation>%1 违反率</translation>
    </message>
    <message>
        <source>%1 (%2-heavy groups)</source>
        <translation>%1（%2 为主的组）</translation>
    </message>
    <message>
        <source>lambda</source>
        <translation>lambda</translation>
    </message>
    <message>
        <source>accuracy</source>
        <translation>准确率</translation>
    </message>
    <message>
        <source>violation rate</source>
        <translation>违反率</translation>
    </message>
    <message>
        <source>&amp;Groups</source>
        <translation>组(&amp;G)</translation>
    </message>
    <message>
        <source>A steerable run&apos;s aspect curves over all its groups, or only over the groups whose largest weight was one aspect: the curves split by weight region</source>
        <translation>可调控运行的方面曲线：覆盖全部组，或只覆盖最大权重为某一方面的组，即按权重区域拆分的曲线</translation>
    </message>
    <message>
        <source>all</source>
        <translation>全部</translation>
    </message>
    <message>
        <source>%1-heavy</source>
        <translation>%1 为主</translation>
    </message>
</context>
<context>
    <name>awb::RewardModelController</name>
    <message>
        <source>Retraining cancelled; nothing was saved.</source>
        <translation>重新训练已取消；未保存任何内容。</translation>
    </message>
    <message>
        <source>Reward model v%1 trained on %2 labelled samples (+%3 replayed). Validation RMSE/Pearson: %4</source>
        <translation>奖励模型 v%1 已在 %2 个已标注样本上训练完成（另回放 %3 个）。验证集 RMSE/Pearson：%4</translation>
    </message>
    <message>
        <source>Reward model v%1 imported from %2 (%3 aspects, trained on %4 labels)</source>
        <translation>已从 %2 导入奖励模型 v%1（%3 个维度，基于 %4 个标注训练）</translation>
    </message>
    <message>
        <source>No reward model was imported: %1</source>
        <translation>未导入奖励模型：%1</translation>
    </message>
    <message>
        <source>Training cancelled; nothing was saved.</source>
        <translation>训练已取消;未保存任何内容。</translation>
    </message>
    <message>
        <source>%1 pairwise accuracy %2</source>
        <translation>%1 成对准确率 %2</translation>
    </message>
    <message>
        <source>%1 RMSE %2</source>
        <translation>%1 RMSE %2</translation>
    </message>
    <message>
        <source>Reward model v%1 trained on %2 scored examples and %3 preference pairs. Validation: %4</source>
        <translation>奖励模型 v%1 已在 %2 个评分样例和 %3 个偏好对上训练。验证:%4</translation>
    </message>
    <message>
        <source>No reward model was trained: %1</source>
        <translation>未训练奖励模型:%1</translation>
    </message>
    <message>
        <source>Sampling stopped: %1 samples kept in run %2</source>
        <translation>采样已停止:运行 %2 中保留了 %1 个样本</translation>
    </message>
    <message>
        <source>%1 samples of %2 prompts ready for labelling (run %3)</source>
        <translation>%2 个提示的 %1 个样本可供标注(运行 %3)</translation>
    </message>
    <message>
        <source>Sampling for labelling failed: %1</source>
        <translation>采样以供标注失败:%1</translation>
    </message>
    <message>
        <source> It shares the running policy&apos;s base weights.</source>
        <translation> 它与正在运行的策略共享基础权重。</translation>
    </message>
</context>
<context>
    <name>awb::RewardModelPanel</name>
    <message>
        <source>Human labels</source>
        <translation>人工标注</translation>
    </message>
    <message>
        <source>Aspect</source>
        <translation>维度</translation>
    </message>
    <message>
        <source>Labels</source>
        <translation>标注</translation>
    </message>
    <message>
        <source>Labelled completions per aspect (latest label per sample and aspect)</source>
        <translation>各维度的已标注回复数（每个样本和维度取最新标注）</translation>
    </message>
    <message>
        <source>Labels added since the reward-model version in use was trained</source>
        <translation>自当前使用的奖励模型版本训练以来新增的标注</translation>
    </message>
    <message>
        <source>Auto-retrain e&amp;very</source>
        <translation>自动重新训练，每(&amp;V)</translation>
    </message>
    <message>
        <source> new labels</source>
        <translation> 条新标注</translation>
    </message>
    <message>
        <source>Auto-retrain threshold</source>
        <translation>自动重新训练阈值</translation>
    </message>
    <message>
        <source>Start a reward-model training by itself once this many labels have been added since the version in use (not while one is training)</source>
        <translation>自当前使用的版本以来新增的标注达到此数量时，自动开始训练奖励模型（正在训练时除外）</translation>
    </message>
    <message>
        <source>Training</source>
        <translation>训练</translation>
    </message>
    <message>
        <source>Re&amp;train</source>
        <translation>重新训练(&amp;T)</translation>
    </message>
    <message>
        <source>Train a new reward-model version on all labels so far. GRPO picks it up at the next step once it is published.</source>
        <translation>用目前所有标注训练新的奖励模型版本。发布后，GRPO 会在下一步开始使用它。</translation>
    </message>
    <message>
        <source>Cance&amp;l</source>
        <translation>取消(&amp;L)</translation>
    </message>
    <message>
        <source>Stop the reward-model training; the version in use stays</source>
        <translation>停止奖励模型训练；当前使用的版本保持不变</translation>
    </message>
    <message>
        <source>Idle</source>
        <translation>空闲</translation>
    </message>
    <message>
        <source>Mean squared error per epoch on the training labels and on the held-out labels</source>
        <translation>每轮在训练标注和留出标注上的均方误差</translation>
    </message>
    <message>
        <source>train</source>
        <translation>训练</translation>
    </message>
    <message>
        <source>validation</source>
        <translation>验证</translation>
    </message>
    <message>
        <source>epoch</source>
        <translation>轮次</translation>
    </message>
    <message>
        <source>loss</source>
        <translation>损失</translation>
    </message>
    <message>
        <source>Versions</source>
        <translation>版本</translation>
    </message>
    <message>
        <source>Published reward-model versions, newest first, with RMSE, Pearson r and Spearman ρ per aspect on held-out labels</source>
        <translation>已发布的奖励模型版本（最新的在前），附各维度在留出标注上的 RMSE、Pearson r 和 Spearman ρ</translation>
    </message>
    <message>
        <source>v%1</source>
        <translation>v%1</translation>
    </message>
    <message>
        <source>no version yet</source>
        <translation>尚无版本</translation>
    </message>
    <message>
        <source>1 new label since the version in use (%1)</source>
        <translation>自当前使用的版本（%1）以来新增 1 条标注</translation>
    </message>
    <message>
        <source>%1 new labels since the version in use (%2)</source>
        <translation>自当前使用的版本（%2）以来新增 %1 条标注</translation>
    </message>
    <message>
        <source>RMSE</source>
        <translation>RMSE</translation>
    </message>
    <message>
        <source>r</source>
        <translation>r</translation>
    </message>
    <message>
        <source>ρ</source>
        <translation>ρ</translation>
    </message>
    <message>
        <source>root mean squared error (lower is better)</source>
        <translation>均方根误差（越低越好）</translation>
    </message>
    <message>
        <source>Pearson correlation with the labels</source>
        <translation>与标注的 Pearson 相关系数</translation>
    </message>
    <message>
        <source>Spearman rank correlation with the labels</source>
        <translation>与标注的 Spearman 秩相关系数</translation>
    </message>
    <message>
        <source>Version</source>
        <translation>版本</translation>
    </message>
    <message>
        <source>Reward-model version</source>
        <translation>奖励模型版本</translation>
    </message>
    <message>
        <source>Created</source>
        <translation>创建时间</translation>
    </message>
    <message>
        <source>When the version was published</source>
        <translation>该版本的发布时间</translation>
    </message>
    <message>
        <source>Labels it was trained on</source>
        <translation>训练所用的标注数</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>备注</translation>
    </message>
    <message>
        <source>Note stored with the version</source>
        <translation>随版本保存的备注</translation>
    </message>
    <message>
        <source>v%1 (in use)</source>
        <translation>v%1（使用中）</translation>
    </message>
    <message>
        <source>Epoch %v of %m</source>
        <translation>第 %v 轮，共 %m 轮</translation>
    </message>
    <message>
        <source>Training…</source>
        <translation>正在训练…</translation>
    </message>
    <message>
        <source>Epoch %1 of %2: train loss %3</source>
        <translation>第 %1 轮，共 %2 轮：训练损失 %3</translation>
    </message>
    <message>
        <source>, validation loss %1</source>
        <translation>，验证损失 %1</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>完成</translation>
    </message>
    <message>
        <source>Stopped at epoch %v of %m</source>
        <translation>已在第 %v 轮（共 %m 轮）停止</translation>
    </message>
    <message>
        <source>Training finished.</source>
        <translation>训练完成。</translation>
    </message>
    <message>
        <source>Training failed.</source>
        <translation>训练失败。</translation>
    </message>
    <message>
        <source>&amp;New…</source>
        <translation>新建(&amp;N)…</translation>
    </message>
    <message>
        <source>Train a new reward model from data files (per-aspect scores, preference pairs) on a base model folder, or from this workspace&apos;s labels</source>
        <translation>基于基础模型文件夹,从数据文件(各维度评分、偏好对)或此工作区的标注训练新的奖励模型</translation>
    </message>
    <message>
        <source>acc</source>
        <translation>准确率</translation>
    </message>
    <message>
        <source>pairwise accuracy: how often chosen scores above rejected</source>
        <translation>成对准确率:被选回答得分高于被拒回答的频率</translation>
    </message>
    <message>
        <source>Ensemble size</source>
        <translation>集成规模</translation>
    </message>
    <message>
        <source>Heads of the retrained version, each trained on its own bootstrap resample of the labels: with 2 or more the model knows where it is unsure (the inspector&apos;s uncertainty column and Most uncertain first); 1 is a single model</source>
        <translation>重新训练版本的头数，每个头在各自的标注自助重采样上训练：2 个及以上时模型知道自己在哪里不确定（检查器的离散度列和“最不确定优先”）；1 为单一模型</translation>
    </message>
    <message>
        <source>%1 of them from the uncertainty queue.</source>
        <translation>其中 %1 条来自不确定性队列。</translation>
    </message>
    <message>
        <source>Ensemble &amp;heads of the next version:</source>
        <translation>下一版本的集成头数(&amp;H)：</translation>
    </message>
</context>
<context>
    <name>awb::RunPanel</name>
    <message>
        <source>Inputs</source>
        <translation>输入</translation>
    </message>
    <message>
        <source>Hugging Face model folder</source>
        <translation>Hugging Face 模型文件夹</translation>
    </message>
    <message>
        <source>Policy model folder: config.json, model.safetensors, tokenizer.json</source>
        <translation>策略模型文件夹：config.json、model.safetensors、tokenizer.json</translation>
    </message>
    <message>
        <source>Choose the policy model folder</source>
        <translation>选择策略模型文件夹</translation>
    </message>
    <message>
        <source>Policy model folder</source>
        <translation>策略模型文件夹</translation>
    </message>
    <message>
        <source>&amp;Policy</source>
        <translation>策略模型(&amp;P)</translation>
    </message>
    <message>
        <source>no reward model yet</source>
        <translation>尚无奖励模型</translation>
    </message>
    <message>
        <source>Reward-model version the run starts with; retrained versions are picked up at the next step</source>
        <translation>运行开始时使用的奖励模型版本；重新训练的版本会在下一步被采用</translation>
    </message>
    <message>
        <source>&amp;Reward model</source>
        <translation>奖励模型(&amp;R)</translation>
    </message>
    <message>
        <source>no prompts imported</source>
        <translation>尚未导入提示词</translation>
    </message>
    <message>
        <source>Prompt set the run samples from (File ▸ Import prompts… adds one)</source>
        <translation>本次运行采样所用的提示词集（“文件 ▸ 导入提示词…”可添加）</translation>
    </message>
    <message>
        <source>Pro&amp;mpts</source>
        <translation>提示词(&amp;M)</translation>
    </message>
    <message>
        <source>auto (CUDA when available)</source>
        <translation>自动（可用时使用 CUDA）</translation>
    </message>
    <message>
        <source>cpu</source>
        <translation>CPU</translation>
    </message>
    <message>
        <source>cuda</source>
        <translation>CUDA</translation>
    </message>
    <message>
        <source>Where the policy, the reference and the reward model run</source>
        <translation>策略模型、参考模型和奖励模型的运行设备</translation>
    </message>
    <message>
        <source>&amp;Device</source>
        <translation>设备(&amp;D)</translation>
    </message>
    <message>
        <source>all cores (%1)</source>
        <translation>全部核心（%1）</translation>
    </message>
    <message>
        <source>CPU threads for the run; 0 uses all cores</source>
        <translation>本次运行的 CPU 线程数；0 表示使用全部核心</translation>
    </message>
    <message>
        <source>&amp;Threads</source>
        <translation>线程(&amp;T)</translation>
    </message>
    <message>
        <source>Run</source>
        <translation>运行</translation>
    </message>
    <message>
        <source>Start</source>
        <translation>开始</translation>
    </message>
    <message>
        <source>Start a run with these settings (F5)</source>
        <translation>使用这些设置开始运行 (F5)</translation>
    </message>
    <message>
        <source>Pause</source>
        <translation>暂停</translation>
    </message>
    <message>
        <source>Pause at the end of the current step (F6)</source>
        <translation>在当前步结束时暂停 (F6)</translation>
    </message>
    <message>
        <source>Resume</source>
        <translation>继续</translation>
    </message>
    <message>
        <source>Resume the paused run (F6)</source>
        <translation>继续已暂停的运行 (F6)</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <source>Stop after the current step; a checkpoint is saved (Shift+F5)</source>
        <translation>在当前步结束后停止；会保存检查点 (Shift+F5)</translation>
    </message>
    <message>
        <source>Fix the options first:
%1</source>
        <translation>请先修正以下选项：
%1</translation>
    </message>
    <message>
        <source>%1 s</source>
        <translation>%1 秒</translation>
    </message>
    <message>
        <source>%1 min %2 s</source>
        <translation>%1 分 %2 秒</translation>
    </message>
    <message>
        <source>%1 h %2 min</source>
        <translation>%1 小时 %2 分</translation>
    </message>
    <message>
        <source>ETA %1</source>
        <translation>预计剩余 %1</translation>
    </message>
    <message>
        <source>%1 tok/s</source>
        <translation>%1 词元/秒</translation>
    </message>
    <message>
        <source>step %1 / %2</source>
        <translation>第 %1 / %2 步</translation>
    </message>
    <message>
        <source>step %1</source>
        <translation>第 %1 步</translation>
    </message>
    <message>
        <source>Not running</source>
        <translation>未运行</translation>
    </message>
    <message>
        <source>Starting: loading the models…</source>
        <translation>正在启动：加载模型…</translation>
    </message>
    <message>
        <source>Running: waiting for the first step…</source>
        <translation>运行中：等待第一步…</translation>
    </message>
    <message>
        <source>Pausing after this step…</source>
        <translation>将在此步后暂停…</translation>
    </message>
    <message>
        <source>Paused</source>
        <translation>已暂停</translation>
    </message>
    <message>
        <source>Stopping after this step…</source>
        <translation>将在此步后停止…</translation>
    </message>
    <message>
        <source>Finished</source>
        <translation>已完成</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <source>Training options</source>
        <translation>训练选项</translation>
    </message>
</context>
<context>
    <name>awb::SampleForLabellingDialog</name>
    <message>
        <source>Sample for labelling</source>
        <translation>采样以供标注</translation>
    </message>
    <message>
        <source>Completions of %1 for the workspace&apos;s prompts, with no reward model and no training. Label them in the Sample inspector, then train the first reward model from them (Reward model ▸ New…).</source>
        <translation>为工作区的提示生成 %1 的补全,不使用奖励模型,也不训练。请在样本检查器中标注它们,然后据此训练第一个奖励模型(奖励模型 ▸ 新建…)。</translation>
    </message>
    <message>
        <source>the policy</source>
        <translation>策略</translation>
    </message>
    <message>
        <source>&amp;Prompts:</source>
        <translation>提示数(&amp;P):</translation>
    </message>
    <message>
        <source>&amp;Completions per prompt:</source>
        <translation>每个提示的补全数(&amp;C):</translation>
    </message>
    <message>
        <source>&amp;Tokens per completion (at most):</source>
        <translation>每个补全的词元数(最多)(&amp;T):</translation>
    </message>
    <message>
        <source>&amp;Sample</source>
        <translation>采样(&amp;S)</translation>
    </message>
</context>
<context>
    <name>awb::SampleInspector</name>
    <message>
        <source>#</source>
        <translation>#</translation>
    </message>
    <message>
        <source>Adv.</source>
        <translation>优势</translation>
    </message>
    <message>
        <source>Reward</source>
        <translation>奖励</translation>
    </message>
    <message>
        <source>Completion</source>
        <translation>回复</translation>
    </message>
    <message>
        <source>Index of the completion in its group</source>
        <translation>该回复在其组中的序号</translation>
    </message>
    <message>
        <source>GRPO advantage; the group is sorted by it, best first</source>
        <translation>GRPO 优势；组内按此排序，最好的在前</translation>
    </message>
    <message>
        <source>Group (same prompt, same step), by advantage</source>
        <translation>组（相同提示词、相同步），按优势排序</translation>
    </message>
    <message>
        <source>Sample</source>
        <translation>样本</translation>
    </message>
    <message>
        <source>Label</source>
        <translation>标注</translation>
    </message>
    <message>
        <source>Step</source>
        <translation>步</translation>
    </message>
    <message>
        <source>&lt;p style=&apos;color:gray&apos;&gt;Select a sample in the table to see it in full and label it.&lt;/p&gt;</source>
        <translation>&lt;p style=&apos;color:gray&apos;&gt;在表格中选择一个样本，即可查看全文并进行标注。&lt;/p&gt;</translation>
    </message>
    <message>
        <source>&lt;p&gt;&lt;b&gt;Sample %1&lt;/b&gt; &amp;middot; run %2 &amp;middot; step %3 &amp;middot; group %4 &amp;middot; completion %5</source>
        <translation>&lt;p&gt;&lt;b&gt;样本 %1&lt;/b&gt; &amp;middot; 运行 %2 &amp;middot; 第 %3 步 &amp;middot; 组 %4 &amp;middot; 回复 %5</translation>
    </message>
    <message>
        <source> &amp;middot; reward %1 &amp;middot; advantage %2</source>
        <translation> &amp;middot; 奖励 %1 &amp;middot; 优势 %2</translation>
    </message>
    <message>
        <source> &amp;middot; RM v%1</source>
        <translation> &amp;middot; 奖励模型 v%1</translation>
    </message>
    <message>
        <source> &amp;middot; %1 tokens</source>
        <translation> &amp;middot; %1 个词元</translation>
    </message>
    <message>
        <source> &amp;middot; finish: %1</source>
        <translation> &amp;middot; 结束原因：%1</translation>
    </message>
    <message>
        <source>&lt;p&gt;&lt;b&gt;Prompt&lt;/b&gt;&lt;br&gt;%1&lt;/p&gt;</source>
        <translation>&lt;p&gt;&lt;b&gt;提示词&lt;/b&gt;&lt;br&gt;%1&lt;/p&gt;</translation>
    </message>
    <message>
        <source>&lt;p&gt;&lt;b&gt;Completion&lt;/b&gt;&lt;br&gt;%1&lt;/p&gt;</source>
        <translation>&lt;p&gt;&lt;b&gt;回复&lt;/b&gt;&lt;br&gt;%1&lt;/p&gt;</translation>
    </message>
    <message>
        <source>Aspect</source>
        <translation>维度</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>Gold</source>
        <translation>金标</translation>
    </message>
    <message>
        <source>First step shown</source>
        <translation>显示的第一步</translation>
    </message>
    <message>
        <source>last</source>
        <translation>最后</translation>
    </message>
    <message>
        <source>Last step shown (&quot;last&quot;: no limit)</source>
        <translation>显示的最后一步（“最后”：不限）</translation>
    </message>
    <message>
        <source>Steps</source>
        <translation>步</translation>
    </message>
    <message>
        <source>to</source>
        <translation>到</translation>
    </message>
    <message>
        <source>prompt contains…</source>
        <translation>提示词包含…</translation>
    </message>
    <message>
        <source>Keep samples whose prompt contains this text (case-insensitive)</source>
        <translation>保留提示词中包含此文本的样本（不区分大小写）</translation>
    </message>
    <message>
        <source>All samples</source>
        <translation>全部样本</translation>
    </message>
    <message>
        <source>Labelled</source>
        <translation>已标注</translation>
    </message>
    <message>
        <source>Unlabelled</source>
        <translation>未标注</translation>
    </message>
    <message>
        <source>Show all samples, only labelled ones, or only those still to label</source>
        <translation>显示全部样本、仅已标注的样本或仅待标注的样本</translation>
    </message>
    <message>
        <source>Disagreement first</source>
        <translation>分歧最大的在前</translation>
    </message>
    <message>
        <source>Only labelled samples, sorted by |reward model - label|, largest first</source>
        <translation>仅已标注的样本，按 |奖励模型 - 标注| 排序，最大的在前</translation>
    </message>
    <message>
        <source>Clear filters</source>
        <translation>清除筛选</translation>
    </message>
    <message>
        <source>Score at least:</source>
        <translation>评分至少：</translation>
    </message>
    <message>
        <source>Keep samples whose reward-model %1 score is at least this (the minimum keeps all)</source>
        <translation>保留奖励模型 %1 评分不低于此值的样本（取最小值时保留全部）</translation>
    </message>
    <message>
        <source>%1 of %2 samples</source>
        <translation>%1 / %2 个样本</translation>
    </message>
    <message>
        <source>&lt;p&gt;Trained with weights: %1&lt;/p&gt;</source>
        <translation>&lt;p&gt;训练时的权重：%1&lt;/p&gt;</translation>
    </message>
    <message>
        <source>&lt;p&gt;&lt;b&gt;Why this one&lt;/b&gt;: the reward model&apos;s %1 members disagree most on %2 (spread %3). Their scores:&lt;/p&gt;</source>
        <translation>&lt;p&gt;&lt;b&gt;为什么是这条&lt;/b&gt;：奖励模型的 %1 个成员在 %2 上分歧最大（离散度 %3）。它们的评分：&lt;/p&gt;</translation>
    </message>
    <message>
        <source>Most uncertain first</source>
        <translation>最不确定优先</translation>
    </message>
    <message>
        <source>Only unlabelled samples, sorted by the largest spread across the reward model&apos;s ensemble members over the aspects ticked in the menu, largest first: the labels that teach the model most. Labels given here count for the uncertainty queue.</source>
        <translation>只显示未标注的样本，按奖励模型集成成员在菜单中勾选的方面上的最大离散度排序，最大的在前：这些标注对模型最有帮助。在此给出的标注计入不确定性队列。</translation>
    </message>
    <message>
        <source>Spread over</source>
        <translation>离散度统计范围</translation>
    </message>
    <message>
        <source>Mean ± spread</source>
        <translation>均值 ± 离散度</translation>
    </message>
    <message>
        <source>Members</source>
        <translation>各成员</translation>
    </message>
</context>
<context>
    <name>awb::SampleTableModel</name>
    <message>
        <source>v%1</source>
        <translation>v%1</translation>
    </message>
    <message>
        <source>%1: reward model %2, human label %3 (range %4 to %5)</source>
        <translation>%1：奖励模型 %2，人工标注 %3（范围 %4 到 %5）</translation>
    </message>
    <message>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <source>Largest |reward model - label| over the labelled aspects</source>
        <translation>各已标注维度上 |奖励模型 - 标注| 的最大值</translation>
    </message>
    <message>
        <source>Not labelled</source>
        <translation>未标注</translation>
    </message>
    <message>
        <source>Scored by reward model v%1</source>
        <translation>由奖励模型 v%1 评分</translation>
    </message>
    <message>
        <source>No reward model version recorded</source>
        <translation>未记录奖励模型版本</translation>
    </message>
    <message>
        <source>Run %1, step %2, group %3, completion %4</source>
        <translation>运行 %1，第 %2 步，组 %3，回复 %4</translation>
    </message>
    <message>
        <source>Step</source>
        <translation>步</translation>
    </message>
    <message>
        <source>Prompt</source>
        <translation>提示词</translation>
    </message>
    <message>
        <source>Completion</source>
        <translation>回复</translation>
    </message>
    <message>
        <source>%1
model</source>
        <translation>%1
模型</translation>
    </message>
    <message>
        <source>%1
label</source>
        <translation>%1
标注</translation>
    </message>
    <message>
        <source>Reward</source>
        <translation>奖励</translation>
    </message>
    <message>
        <source>Advantage</source>
        <translation>优势</translation>
    </message>
    <message>
        <source>RM</source>
        <translation>奖励模型</translation>
    </message>
    <message>
        <source>Disagree</source>
        <translation>分歧</translation>
    </message>
    <message>
        <source>Reward model&apos;s score for %1</source>
        <translation>奖励模型对 %1 的评分</translation>
    </message>
    <message>
        <source>Latest human label for %1 (blank when unlabelled)</source>
        <translation>%1 的最新人工标注（未标注时为空）</translation>
    </message>
    <message>
        <source>GRPO advantage within the completion&apos;s group (blue below the group mean, orange above)</source>
        <translation>该回复在其组内的 GRPO 优势（低于组均值为蓝色，高于为橙色）</translation>
    </message>
    <message>
        <source>Version of the reward model that scored the completion</source>
        <translation>为该回复评分的奖励模型版本</translation>
    </message>
    <message>
        <source>Largest |reward model - human label| over the labelled aspects</source>
        <translation>各已标注维度上 |奖励模型 - 人工标注| 的最大值</translation>
    </message>
    <message>
        <source>Aggregated reward used by GRPO</source>
        <translation>GRPO 使用的聚合奖励</translation>
    </message>
    <message>
        <source>Scored by a single reward model: no spread</source>
        <translation>由单一奖励模型评分：没有离散度</translation>
    </message>
    <message>
        <source>%1: spread %2 across the reward model&apos;s members (%3)</source>
        <translation>%1：奖励模型各成员间的离散度 %2（%3）</translation>
    </message>
    <message>
        <source>%1
± spread</source>
        <translation>%1
± 离散度</translation>
    </message>
    <message>
        <source>Spread (standard deviation) of the reward model&apos;s ensemble members&apos; %1 scores: where it is large, the model does not know</source>
        <translation>奖励模型集成成员对 %1 评分的离散度（标准差）：数值大的地方，模型并不确定</translation>
    </message>
</context>
<context>
    <name>awb::SteerController</name>
    <message>
        <source>Generating %1…</source>
        <translation>正在生成 %1…</translation>
    </message>
    <message>
        <source>This run was not steerable: it answered at the weights it trained with.</source>
        <translation>此运行不可调控：它按训练时的权重作答。</translation>
    </message>
    <message>
        <source>Sweeping the front: %1 of %2 weight vectors</source>
        <translation>正在扫描前沿：第 %1 个，共 %2 个权重向量</translation>
    </message>
    <message>
        <source>Measuring %1…</source>
        <translation>正在测量 %1…</translation>
    </message>
    <message>
        <source>The sweep was cancelled.</source>
        <translation>扫描已取消。</translation>
    </message>
</context>
<context>
    <name>awb::WeightsPanel</name>
    <message>
        <source>Sum, then normalise</source>
        <translation>先求和，再归一化</translation>
    </message>
    <message>
        <source>Normalise each, then sum</source>
        <translation>先逐项归一化，再求和</translation>
    </message>
    <message>
        <source>The sum of the weights; with normalising on it is 1</source>
        <translation>权重之和；开启归一化时为 1</translation>
    </message>
    <message>
        <source>&amp;Aggregation:</source>
        <translation>聚合方式(&amp;A)：</translation>
    </message>
    <message>
        <source>sum_then_normalize (TRL&apos;s default): the weighted sum of the raw aspect scores, then normalised within each prompt&apos;s group. An aspect with a wide spread of scores dominates the advantage.</source>
        <translation>sum_then_normalize（TRL 的默认方式）：先对各维度的原始评分加权求和，再在每个提示词的组内归一化。评分分布较宽的维度会主导优势。</translation>
    </message>
    <message>
        <source>normalize_then_sum (GDPO): each aspect is normalised within its group first, then weighted and summed, then the sum is normalised over the batch. Every aspect counts on the same scale, so the weights mean what they say.</source>
        <translation>normalize_then_sum（GDPO）：先在组内对每个维度分别归一化，再加权求和，最后在整个批次上对总和归一化。所有维度处于同一尺度，因此权重的含义与其数值一致。</translation>
    </message>
    <message>
        <source>How the aspect scores become one reward per completion.

%1

%2</source>
        <translation>各维度评分如何合成为每条回复的一个奖励。

%1

%2</translation>
    </message>
    <message>
        <source>&amp;Normalise to sum 1</source>
        <translation>归一化为总和 1(&amp;N)</translation>
    </message>
    <message>
        <source>Rescale the weights so they sum to 1. While on, the weight you edit keeps its value and the others shrink or grow in proportion.</source>
        <translation>缩放权重使其总和为 1。开启时，您编辑的权重保持不变，其他权重按比例缩小或增大。</translation>
    </message>
    <message>
        <source>&amp;Reset</source>
        <translation>重置(&amp;R)</translation>
    </message>
    <message>
        <source>Give every aspect the same weight (1, or 1/K while normalising)</source>
        <translation>为每个维度设置相同的权重（1，归一化时为 1/K）</translation>
    </message>
    <message>
        <source>The weights and aggregation the trainer used, as it reported them</source>
        <translation>训练器实际使用的权重和聚合方式（以其报告为准）</translation>
    </message>
    <message>
        <source>%1 weight</source>
        <translation>%1 权重</translation>
    </message>
    <message>
        <source>Sum %1</source>
        <translation>总和 %1</translation>
    </message>
    <message>
        <source>Not used by a training step yet.</source>
        <translation>尚未被任何训练步使用。</translation>
    </message>
    <message>
        <source>In force since step %1: %2; %3</source>
        <translation>自第 %1 步起生效：%2；%3</translation>
    </message>
    <message>
        <source>Editing… sent to the trainer when you pause.</source>
        <translation>编辑中… 停止操作后将发送给训练器。</translation>
    </message>
    <message>
        <source>Sent; takes effect at the next training step.</source>
        <translation>已发送；将在下一个训练步生效。</translation>
    </message>
    <message>
        <source>Weight of %1 in the reward. Arrows: ±0.01 on the slider, ±0.05 in the box; Page Up/Down ±0.10. Applied from the next training step.</source>
        <translation>%1 在奖励中的权重。方向键：滑块上 ±0.01，输入框中 ±0.05；Page Up/Down ±0.10。从下一个训练步开始生效。</translation>
    </message>
    <message>
        <source>Constraints</source>
        <translation>约束</translation>
    </message>
    <message>
        <source>Aspects held to a bound instead of weighed (Safe RLHF): each has a Lagrange multiplier lambda that grows while the batch mean breaks the bound and takes the aspect&apos;s weight in the reward. A new bound applies from the next step.</source>
        <translation>以界限约束而非加权的方面（Safe RLHF）：每个都有一个拉格朗日乘子 lambda，当批次均值违反界限时它会增大，并在奖励中取代该方面的权重。新界限从下一步开始生效。</translation>
    </message>
    <message>
        <source>%1 bound</source>
        <translation>%1 界限</translation>
    </message>
    <message>
        <source>The bound on the batch mean of %1&apos;s raw reward-model scores, inside (%2, %3). Applied from the next training step.</source>
        <translation>%1 的原始奖励模型分数批次均值的界限，位于 (%2, %3) 之内。从下一个训练步开始生效。</translation>
    </message>
    <message>
        <source>lambda: not used yet</source>
        <translation>lambda：尚未使用</translation>
    </message>
    <message>
        <source>%1 is held by a constraint: its lambda takes the weight&apos;s place in the reward</source>
        <translation>%1 受约束控制：其 lambda 在奖励中取代权重</translation>
    </message>
    <message>
        <source>step %1: lambda %2</source>
        <translation>第 %1 步：lambda %2</translation>
    </message>
    <message>
        <source>step %1: bound %2, lambda %3</source>
        <translation>第 %1 步：界限 %2，lambda %3</translation>
    </message>
</context>
<context>
    <name>awb::WorkbenchController</name>
    <message>
        <source>Run</source>
        <translation>运行</translation>
    </message>
    <message>
        <source>Aspect weights</source>
        <translation>维度权重</translation>
    </message>
    <message>
        <source>Reward model</source>
        <translation>奖励模型</translation>
    </message>
    <message>
        <source>Step %1: %2</source>
        <translation>第 %1 步：%2</translation>
    </message>
    <message>
        <source>Stop the running job before opening another workspace.</source>
        <translation>请先停止正在运行的任务，再打开其他工作区。</translation>
    </message>
    <message>
        <source>Cannot open the workspace %1: %2</source>
        <translation>无法打开工作区 %1：%2</translation>
    </message>
    <message>
        <source>%1 – Alignment Workbench</source>
        <translation>%1 – Alignment Workbench</translation>
    </message>
    <message numerus="yes">
        <source>Workspace %1: %n run(s)</source>
        <translation>
            <numerusform>工作区 %1：%n 次运行</numerusform>
        </translation>
    </message>
    <message>
        <source>The demo was not found (set AWB_DEMO_DIR, or run `awb demo-init --out DIR`).</source>
        <translation>未找到演示（请设置 AWB_DEMO_DIR，或运行 `awb demo-init --out DIR`）。</translation>
    </message>
    <message>
        <source>Open a workspace or the demo first (File menu).</source>
        <translation>请先打开一个工作区或演示（“文件”菜单）。</translation>
    </message>
    <message>
        <source>The labels were not saved: %1</source>
        <translation>标注未保存：%1</translation>
    </message>
    <message>
        <source>the demo&apos;s reward model</source>
        <translation>演示的奖励模型</translation>
    </message>
    <message>
        <source>newest version</source>
        <translation>最新版本</translation>
    </message>
    <message>
        <source>v%1 · %2</source>
        <translation>v%1 · %2</translation>
    </message>
    <message>
        <source>Workspaces (*.awb);;All files (*)</source>
        <translation>工作区 (*.awb);;所有文件 (*)</translation>
    </message>
    <message>
        <source>New workspace</source>
        <translation>新建工作区</translation>
    </message>
    <message>
        <source>Open workspace</source>
        <translation>打开工作区</translation>
    </message>
    <message>
        <source>Open a workspace first.</source>
        <translation>请先打开一个工作区。</translation>
    </message>
    <message>
        <source>Import prompts</source>
        <translation>导入提示词</translation>
    </message>
    <message>
        <source>Prompt files (*.jsonl *.json *.csv *.gz);;All files (*)</source>
        <translation>提示词文件 (*.jsonl *.json *.csv *.gz);;所有文件 (*)</translation>
    </message>
    <message numerus="yes">
        <source>Imported %n prompt(s) from %1</source>
        <translation>
            <numerusform>已从 %1 导入 %n 条提示词</numerusform>
        </translation>
    </message>
    <message>
        <source>Cannot import %1: %2</source>
        <translation>无法导入 %1：%2</translation>
    </message>
    <message>
        <source>No run to export.</source>
        <translation>没有可导出的运行。</translation>
    </message>
    <message>
        <source>Export samples</source>
        <translation>导出样本</translation>
    </message>
    <message>
        <source>JSON lines (*.jsonl)</source>
        <translation>JSON Lines (*.jsonl)</translation>
    </message>
    <message>
        <source>Cannot write %1: %2</source>
        <translation>无法写入 %1：%2</translation>
    </message>
    <message>
        <source>Samples exported to %1</source>
        <translation>样本已导出到 %1</translation>
    </message>
    <message>
        <source>Export run metrics</source>
        <translation>导出运行指标</translation>
    </message>
    <message>
        <source>CSV (*.csv)</source>
        <translation>CSV (*.csv)</translation>
    </message>
    <message>
        <source>generating completions</source>
        <translation>正在生成回复</translation>
    </message>
    <message>
        <source>scoring with the reward model</source>
        <translation>正在用奖励模型打分</translation>
    </message>
    <message>
        <source>reference log-probabilities</source>
        <translation>参考对数概率</translation>
    </message>
    <message>
        <source>updating the policy</source>
        <translation>正在更新策略</translation>
    </message>
    <message>
        <source>Run %1 finished at step %2</source>
        <translation>运行 %1 在第 %2 步完成</translation>
    </message>
    <message>
        <source>Run %1 stopped at step %2</source>
        <translation>运行 %1 在第 %2 步停止</translation>
    </message>
    <message>
        <source>Run %1 failed at step %2</source>
        <translation>运行 %1 在第 %2 步失败</translation>
    </message>
    <message>
        <source>Run %1 ended at step %2 (%3)</source>
        <translation>运行 %1 在第 %2 步结束（%3）</translation>
    </message>
    <message>
        <source>&amp;Overlay runs on the curves</source>
        <translation>在曲线上叠加运行(&amp;O)</translation>
    </message>
    <message>
        <source>Run %1 · %2</source>
        <translation>运行 %1 · %2</translation>
    </message>
    <message>
        <source>No other run with these aspects</source>
        <translation>没有其他具有这些维度的运行</translation>
    </message>
    <message>
        <source>All aspect weights are 0, so every advantage would be 0; the run keeps the weights it has. Set at least one weight above 0.</source>
        <translation>所有维度权重均为 0，所有优势都将为 0；运行保留其现有权重。请至少将一个权重设为大于 0。</translation>
    </message>
    <message>
        <source>All aspect weights are 0, so every advantage would be 0 and GRPO would learn nothing. Set at least one weight above 0.</source>
        <translation>所有维度权重均为 0，所有优势都将为 0，GRPO 将学不到任何东西。请至少将一个权重设为大于 0。</translation>
    </message>
    <message numerus="yes">
        <source>%n label(s) of %1 sample(s) written to %2</source>
        <translation>
            <numerusform>已将 %1 个样本的 %n 条标注写入 %2</numerusform>
        </translation>
    </message>
    <message>
        <source>The labels were not exported: %1</source>
        <translation>标注未导出：%1</translation>
    </message>
    <message>
        <source>No labels were imported: %1</source>
        <translation>未导入任何标注：%1</translation>
    </message>
    <message numerus="yes">
        <source>%n label(s) added</source>
        <translation>
            <numerusform>已添加 %n 条标注</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n already present (skipped)</source>
        <translation>
            <numerusform>%n 条已存在（已跳过）</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n for samples this workspace does not hold (skipped)</source>
        <translation>
            <numerusform>%n 条属于本工作区中没有的样本（已跳过）</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n conflict(s) between annotators (the latest label wins):</source>
        <translation>
            <numerusform>标注者之间有 %n 处冲突（以最新标注为准）：</numerusform>
        </translation>
    </message>
    <message>
        <source>(no name)</source>
        <translation>（无名）</translation>
    </message>
    <message>
        <source>  sample %1, %2: %3</source>
        <translation>  样本 %1，%2：%3</translation>
    </message>
    <message>
        <source>Export labels</source>
        <translation>导出标注</translation>
    </message>
    <message>
        <source>Import labels</source>
        <translation>导入标注</translation>
    </message>
    <message>
        <source>JSON lines (*.jsonl);;All files (*)</source>
        <translation>JSON Lines (*.jsonl);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Labels imported from %1</source>
        <translation>已从 %1 导入标注</translation>
    </message>
    <message>
        <source>JSON lines (*.jsonl);;CSV (*.csv)</source>
        <translation>JSON Lines (*.jsonl);;CSV (*.csv)</translation>
    </message>
    <message>
        <source>Run %1 · %2 — step %3 (LoRA)</source>
        <translation>运行 %1 · %2 — 第 %3 步（LoRA）</translation>
    </message>
    <message>
        <source>Run %1 · %2 — step %3</source>
        <translation>运行 %1 · %2 — 第 %3 步</translation>
    </message>
    <message numerus="yes">
        <source>v%1 — %n label(s), %2</source>
        <translation>
            <numerusform>v%1 — %n 个标注，%2</numerusform>
        </translation>
    </message>
    <message>
        <source>An export is still running; wait for it to finish.</source>
        <translation>仍有导出正在进行，请等待其完成。</translation>
    </message>
    <message>
        <source>Exporting the policy to %1…</source>
        <translation>正在将策略导出到 %1…</translation>
    </message>
    <message>
        <source>LoRA adapters of step %1 written to %2 (%3 tensors, %4)</source>
        <translation>第 %1 步的 LoRA 适配器已写入 %2（%3 个张量，%4）</translation>
    </message>
    <message>
        <source>Exporting the reward model to %1…</source>
        <translation>正在将奖励模型导出到 %1…</translation>
    </message>
    <message>
        <source>Reward model written to %1 (aspects: %2)</source>
        <translation>奖励模型已写入 %1（维度：%2）</translation>
    </message>
    <message>
        <source>The reward model is being retrained; import when that has finished.</source>
        <translation>奖励模型正在重新训练，请在完成后再导入。</translation>
    </message>
    <message>
        <source>Importing the reward model from %1…</source>
        <translation>正在从 %1 导入奖励模型…</translation>
    </message>
    <message>
        <source>Import reward model (a folder with reward_model.json)</source>
        <translation>导入奖励模型（包含 reward_model.json 的文件夹）</translation>
    </message>
    <message>
        <source>Policy of step %1 written to %2 (%3 tensors, %4, %5)</source>
        <translation>第 %1 步的策略已写入 %2（%3 个张量，%4，%5）</translation>
    </message>
    <message>
        <source>Reward model: epoch %1 of %2, batch %3 of %4</source>
        <translation>奖励模型:第 %1/%2 轮,第 %3/%4 批</translation>
    </message>
    <message>
        <source>Sampling for labelling: %1 of %2 prompts</source>
        <translation>采样以供标注:%1/%2 个提示</translation>
    </message>
    <message>
        <source>A reward-model job is running; start when it has finished.</source>
        <translation>奖励模型任务正在运行;请在其结束后再开始。</translation>
    </message>
    <message>
        <source>A reward-model job is running; sample when it has finished.</source>
        <translation>奖励模型任务正在运行;请在其结束后再采样。</translation>
    </message>
    <message>
        <source>Sampling for labelling…</source>
        <translation>正在采样以供标注…</translation>
    </message>
    <message>
        <source>The workspace has no prompts: import a prompt file first (File ▸ Import prompts).</source>
        <translation>工作区没有提示:请先导入提示文件(文件 ▸ 导入提示)。</translation>
    </message>
    <message>
        <source>No reward model: train one from data (Reward model ▸ New…), import one (File ▸ Import reward model), or sample for labelling (File ▸ Sample for labelling) and train the first one from your labels.</source>
        <translation>没有奖励模型:请从数据训练一个(奖励模型 ▸ 新建…)、导入一个(文件 ▸ 导入奖励模型),或采样以供标注(文件 ▸ 采样以供标注)并用您的标注训练第一个。</translation>
    </message>
    <message>
        <source>weights</source>
        <translation>权重</translation>
    </message>
    <message>
        <source>pause</source>
        <translation>暂停</translation>
    </message>
    <message>
        <source>resume</source>
        <translation>继续</translation>
    </message>
    <message>
        <source>stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <source>reward model version %1</source>
        <translation>奖励模型版本 %1</translation>
    </message>
    <message>
        <source>Run %1 (trained by another process) takes the new %2 at its next step (controls revision %3)</source>
        <translation>运行 %1（由另一个进程训练）将在下一步采用新的%2（控制修订 %3）</translation>
    </message>
    <message>
        <source>Cannot pass the %1 to run %2: %3</source>
        <translation>无法将%1传递给运行 %2：%3</translation>
    </message>
    <message>
        <source>Following run %1, which another process trains; weights, pause and stop reach it at its next step</source>
        <translation>正在跟随由另一个进程训练的运行 %1；权重、暂停和停止将在其下一步生效</translation>
    </message>
    <message>
        <source>Run %1 (another process) is %2 at step %3</source>
        <translation>运行 %1（另一个进程）在第 %3 步时为 %2</translation>
    </message>
    <message>
        <source>bounds</source>
        <translation>界限</translation>
    </message>
    <message>
        <source>The new bounds apply from the next step</source>
        <translation>新界限从下一步开始生效</translation>
    </message>
    <message>
        <source>Playground</source>
        <translation>试验场</translation>
    </message>
    <message>
        <source>Still busy with the last request (or a front sweep).</source>
        <translation>仍在处理上一个请求（或前沿扫描）。</translation>
    </message>
    <message>
        <source>Loading the checkpoint…</source>
        <translation>正在加载检查点…</translation>
    </message>
    <message>
        <source>Done.</source>
        <translation>完成。</translation>
    </message>
    <message>
        <source>Run %1 · %2 (steerable) · step %3</source>
        <translation>运行 %1 · %2（可调控）· 第 %3 步</translation>
    </message>
    <message>
        <source>Run %1 · %2 · step %3</source>
        <translation>运行 %1 · %2 · 第 %3 步</translation>
    </message>
    <message>
        <source>Open a workspace with a run first.</source>
        <translation>请先打开包含运行的工作区。</translation>
    </message>
    <message>
        <source>Run %1 has no checkpoint yet: a sweep generates from one.</source>
        <translation>运行 %1 还没有检查点：扫描需要从检查点生成。</translation>
    </message>
    <message>
        <source>run %1</source>
        <translation>运行 %1</translation>
    </message>
    <message>
        <source>run %1 (%2)</source>
        <translation>运行 %1（%2）</translation>
    </message>
    <message>
        <source>The playground is still generating; sweep when it has finished.</source>
        <translation>试验场仍在生成；请在其完成后再扫描。</translation>
    </message>
    <message>
        <source>Sweeping the front of run %1…</source>
        <translation>正在扫描运行 %1 的前沿…</translation>
    </message>
</context>
</TS>
