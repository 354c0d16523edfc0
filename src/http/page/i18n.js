// Portuguese for companies in Brazil: the page is written in Spanish and translated here, text by
// text, when the server says the company's language is pt. A text without a translation stays Spanish.
const PT = {
  'Abortar': 'Abortar', 'Continuar': 'Continuar', 'Abortar seguimiento': 'Abortar acompanhamento', 'Acciones': 'Ações', 'Acción': 'Ação',
  'Buscar': 'Buscar', 'Calidad': 'Qualidade', 'Cerrar ✕': 'Fechar ✕', 'Columnas': 'Colunas', 'Comentario (obligatorio)': 'Comentário (obrigatório)',
  'Comentario': 'Comentário', 'Contactos': 'Contatos', 'Correo': 'E-mail', 'Datos del contacto': 'Dados do contato', 'Descartar contacto': 'Descartar contato',
  'Descartar': 'Descartar', 'Desde': 'De', 'Editar datos': 'Editar dados', 'Elegir…': 'Escolher…', 'Email': 'E-mail', 'Embudo': 'Funil', 'Entrar': 'Entrar',
  'Estado': 'Status', 'Estado de los leads': 'Status dos leads', 'Expectativa': 'Expectativa', 'Exportar Excel': 'Exportar Excel', 'Fecha de recontacto': 'Data de retorno',
  'Fecha': 'Data', 'Ficha de cliente': 'Ficha do cliente', 'Guardar datos': 'Salvar dados', 'Guardar seguimiento': 'Salvar acompanhamento', 'Guardar': 'Salvar',
  'Hasta': 'Até', 'Historial': 'Histórico', 'Iniciar sesión': 'Entrar', 'Limpiar': 'Limpar', 'Medio': 'Meio', 'Medio de llegada': 'Meio de chegada',
  'Mis pendientes': 'Meus pendentes', 'Motivo de descarte': 'Motivo do descarte', 'Nada para hoy.': 'Nada para hoje.', 'No tienes contactos pendientes.': 'Você não tem contatos pendentes.',
  'Nombre': 'Nome', 'Por contactar': 'A contatar', 'Por': 'Por', 'Portal': 'Portal', 'Proyecto': 'Projeto', 'Proyectos': 'Projetos', 'Recontacto': 'Retorno',
  'Registrar contacto': 'Registrar contato', 'Registrar seguimiento': 'Registrar acompanhamento', 'Responsable': 'Responsável', 'Salir': 'Sair', 'Seguimiento': 'Acompanhamento',
  'Seguimientos para hoy': 'Acompanhamentos para hoje', 'Seguimientos': 'Acompanhamentos', 'Siguiente »': 'Próxima »', 'Sin contactos para estos filtros.': 'Nenhum contato para estes filtros.',
  'Persona': 'Pessoa', 'correo de la persona': 'e-mail da pessoa', 'de este correo': 'deste e-mail', 'Teléfono': 'Telefone', 'Tipo de contacto': 'Tipo de contato', 'Tipo': 'Tipo', 'Todas': 'Todas', 'Todos': 'Todos', 'Ver fuente': 'Ver código-fonte', '« Anterior': '« Anterior',
  'Contraseña': 'Senha', 'Llamar': 'Ligar', 'Vence': 'Vence', 'Venció': 'Venceu', 'Última interacción': 'Última interação', 'Último contacto': 'Último contato', 'Ingreso': 'Entrada',
  'Contacto registrado.': 'Contato registrado.', 'Seguimiento abortado.': 'Acompanhamento abortado.', 'Datos guardados.': 'Dados salvos.', 'Contacto descartado.': 'Contato descartado.',
  'Seguimiento registrado.': 'Acompanhamento registrado.', 'Bueno': 'Bom', 'Con problemas': 'Com problemas', 'Malo': 'Ruim', 'No contactados': 'Não contatados', 'Contactados': 'Contatados',
  'Abortados': 'Abortados', 'Descartados': 'Descartados', 'No contactado': 'Não contatado', 'Contactado': 'Contatado', 'Abortado': 'Abortado', 'Descartado': 'Descartado',
  'Portales': 'Portais', 'Web': 'Web', 'Otros': 'Outros', 'Alta': 'Alta', 'Media': 'Média', 'Baja': 'Baixa', 'Llamada': 'Ligação', 'Visita': 'Visita', 'Otro': 'Outro',
  'Sin respuesta': 'Sem resposta', 'Videollamada': 'Videochamada', 'Nuevo': 'Novo', 'Retorno': 'Retorno', 'Administrador': 'Administrador', 'Gerente': 'Gerente',
  'Supervisor': 'Supervisor', 'Vendedor': 'Vendedor', 'Atención al cliente': 'Atendimento ao cliente', 'Supervisor de atención': 'Supervisor de atendimento', 'Buscar por nombre, documento, teléfono o email': 'Buscar por nome, documento, telefone ou e-mail',
  // Ficha de cliente (client.js).
  'El documento, el email y el teléfono de un lead bueno se corrigen en la': 'O documento, o e-mail e o telefone de um lead bom são corrigidos na', 'ficha del cliente': 'ficha do cliente',
  'Volver': 'Voltar', 'Datos del cliente': 'Dados do cliente', 'Corregir datos': 'Corrigir dados', 'Guardar ficha': 'Salvar ficha', 'Leads': 'Leads', 'Teléfonos': 'Telefones',
  'País': 'País', 'Cliente desde': 'Cliente desde', 'Última actividad': 'Última atividade', 'Responsable por proyecto': 'Responsável por projeto', 'Posibles duplicados': 'Possíveis duplicados',
  'Interacciones del embudo': 'Interações do funil', 'Historial de contactos': 'Histórico de contatos', 'Sin responsables.': 'Sem responsáveis.', 'Sin duplicados.': 'Sem duplicados.',
  'Sin cotizaciones ni separaciones.': 'Sem cotações nem reservas.', 'Sin seguimientos.': 'Sem acompanhamentos.', 'Sin acciones registradas.': 'Nenhuma ação registrada.',
  'Sin leads a tu cargo.': 'Sem leads sob sua responsabilidade.', 'Sin proyecto': 'Sem projeto', 'Llegó': 'Chegou', 'Ver lead': 'Ver lead', 'Unir fichas': 'Unir fichas', 'Cancelar': 'Cancelar',
  'Deshacer': 'Desfazer', 'Ficha guardada.': 'Ficha salva.', 'Leads reclasificados': 'Leads reclassificados', 'seguimiento': 'acompanhamento', 'Sin cambios.': 'Sem alterações.',
  '1 lead más tomó los datos corregidos.': 'Mais 1 lead recebeu os dados corrigidos.', 'leads más tomaron los datos corregidos.': 'leads a mais receberam os dados corrigidos.',
  'Escribe al menos un dato.': 'Escreva pelo menos um dado.', 'No existe esa ficha o no está a tu cargo.': 'Essa ficha não existe ou não está sob sua responsabilidade.',
  'Fichas unidas: los leads de la otra ficha están ahora en esta.': 'Fichas unidas: os leads da outra ficha agora estão nesta.',
  'Unión deshecha: cada ficha tiene otra vez sus leads.': 'União desfeita: cada ficha tem novamente seus leads.', 'Edición de la ficha': 'Edição da ficha', 'Edición de datos': 'Edição de dados',
  'Asignación': 'Atribuição', 'Reasignación': 'Reatribuição', 'Fichas unidas': 'Fichas unidas', 'Unión deshecha': 'União desfeita', 'Posible duplicado': 'Possível duplicado',
  'Abrir la ficha del cliente': 'Abrir a ficha do cliente', 'cliente nuevo': 'cliente novo', 'cliente sin responsable': 'cliente sem responsável', '(sin nombre)': '(sem nome)',
  'Otra ficha unida a esta': 'Outra ficha unida a esta', 'Unida a otra ficha': 'Unida a outra ficha', 'Descartado: personas distintas': 'Descartado: pessoas diferentes',
  'Cotización': 'Cotação', 'Separación': 'Reserva', 'Minuta': 'Minuta', 'Desembolso': 'Desembolso', 'Traspaso por retiro': 'Transferência por saída', 'Cambio de ficha': 'Mudança de ficha',
  // Casos (cases.js).
  'Casos': 'Chamados', 'Caso': 'Chamado', 'Categoría': 'Categoria', 'Solo vencidos': 'Só vencidos',
  'N° de caso, asunto, nombre o email': 'N° do chamado, assunto, nome ou e-mail', 'Asunto': 'Assunto', 'Cliente': 'Cliente',
  'Vence 1ª respuesta': 'Vence 1ª resposta', 'Vence resolución': 'Vence resolução', 'Sin casos para estos filtros.': 'Sem chamados para estes filtros.',
  'Páginas': 'Páginas', 'de': 'de', 'Estadísticas': 'Estatísticas', 'Consulta': 'Consulta', 'Reclamo': 'Reclamação',
  'Sugerencia': 'Sugestão', 'Postventa': 'Pós-venda', 'Abierto': 'Aberto', 'En espera del cliente': 'Aguardando o cliente', 'Resuelto': 'Resolvido', 'Cerrado': 'Fechado',
  'Visita técnica': 'Visita técnica', 'Visita de regreso': 'Visita de retorno', '(sin responsable)': '(sem responsável)', 'en pausa': 'em pausa', 'vencido': 'vencido',
  'respondido': 'respondido', 'resuelto': 'resolvido', 'fuera de plazo': 'fora do prazo', 'Escalado': 'Escalado', 'Satisfacción': 'Satisfação', 'Conversación': 'Conversa',
  'Enviado': 'Enviado', 'Recibido': 'Recebido', 'adjunto': 'anexo', 'Respuesta al cliente': 'Resposta ao cliente', 'Quedar esperando respuesta del cliente': 'Aguardar resposta do cliente',
  'Enviar respuesta': 'Enviar resposta', 'Cambiar estado': 'Mudar status', 'Quién visita': 'Quem visita', 'Realizada el': 'Realizada em', 'Resultado': 'Resultado',
  'Registrar visita': 'Registrar visita', 'Responder': 'Responder', 'Respuesta enviada.': 'Resposta enviada.', 'Visita registrada.': 'Visita registrada.', 'Datos del caso': 'Dados do chamado',
  'Visitas': 'Visitas', 'Sin visitas.': 'Sem visitas.', 'realizada': 'realizada', 'Solo lectura.': 'Somente leitura.', 'Casos por categoría': 'Chamados por categoria',
  'Casos por categoría y estado': 'Chamados por categoria e status', 'Por categoría': 'Por categoria', 'Por estado': 'Por status', 'Por proyecto': 'Por empreendimento',
  'Tiempos y plazos por responsable (horas hábiles)': 'Tempos e prazos por responsável (horas úteis)', 'Tiempos y plazos por mes (horas hábiles)': 'Tempos e prazos por mês (horas úteis)',
  'Responsable guardado.': 'Responsável salvo.', 'Categoría guardada.': 'Categoria salva.', 'Mes': 'Mês', '1ª respuesta p50': '1ª resposta p50', 'En plazo': 'No prazo', 'Resolución p50': 'Resolução p50', 'sin respuestas': 'sem respostas', 'respuestas': 'respostas',
};

// The Embudo's charts.
Object.assign(PT, {
  'Ver números': 'Ver números', 'Ocultar números': 'Ocultar números', 'Embudo de ventas': 'Funil de vendas', 'Conversión por portal': 'Conversão por portal',
  'Leads por semana, por portal': 'Leads por semana, por portal', 'Leads por semana, por calidad': 'Leads por semana, por qualidade',
  'Velocidad de primer contacto por vendedor': 'Velocidade do primeiro contato por vendedor', 'Velocidad de primer contacto por equipo': 'Velocidade do primeiro contato por equipe',
  'Seguimientos vencidos por vendedor': 'Acompanhamentos vencidos por vendedor', 'No se pudo cargar la librería de gráficos.': 'Não foi possível carregar a biblioteca de gráficos.',
  'Semana (lunes)': 'Semana (segunda-feira)', 'Total': 'Total', 'Leads por semana': 'Leads por semana', 'en': 'em', 'semana': 'semana', 'semanas': 'semanas',
  '% en 1 h': '% em 1 h', '% en 24 h': '% em 24 h', 'Leads': 'Leads', 'Mediana (p50)': 'Mediana (p50)', 'En 1 h': 'Em 1 h', 'En 24 h': 'Em 24 h', 'mediana': 'mediana',
  'en 1 h': 'em 1 h', 'en 24 h': 'em 24 h', 'Sin datos': 'Sem dados', 'hasta': 'até', 'Cantidad': 'Quantidade', 'Etapa': 'Etapa', 'Pasa a la siguiente': 'Passa para a seguinte',
  'a cotización': 'para cotação', 'Porcentaje de los leads de cada portal que llegó a cada etapa.': 'Porcentagem dos leads de cada portal que chegou a cada etapa.',
  'Desde la llegada hasta el primer contacto registrado.': 'Da chegada até o primeiro contato registrado.', 'Equipo': 'Equipe', 'Vencidos': 'Vencidos',
  'Sin responsable': 'Sem responsável', 'Seguimientos vencidos': 'Acompanhamentos vencidos', 'Ningún seguimiento vencido': 'Nenhum acompanhamento vencido',
  'Ningún seguimiento vencido.': 'Nenhum acompanhamento vencido.', 'Seguimientos abiertos cuya fecha ya pasó, hoy.': 'Acompanhamentos abertos cuja data já passou, hoje.',
  'Lead': 'Lead', 'Cotización': 'Cotação', 'Separación': 'Reserva', 'Minuta': 'Minuta', 'Desembolso': 'Desembolso',
  // Manager tools, live arrivals, duplicates, audit (desk.js, manager.js, live.js).
  'nuevo': 'novo', 'nuevos': 'novos', 'vencidos': 'vencidos', 'por contactar': 'a contatar', 'seguimiento para hoy': 'acompanhamento para hoje', 'seguimientos para hoy': 'acompanhamentos para hoje',
  'nuevo desde tu última visita': 'novo desde sua última visita', 'nuevos desde tu última visita': 'novos desde sua última visita', 'Reasignar': 'Reatribuir', 'Reasignar cliente': 'Reatribuir cliente',
  'Nuevo responsable': 'Novo responsável', 'Motivo (obligatorio)': 'Motivo (obrigatório)', '¿Por qué?': 'Por quê?', 'Duplicados': 'Duplicados', 'Auditoría': 'Auditoria', 
  'No es duplicado': 'Não é duplicado', 'Fichas unidas.': 'Fichas unidas.', 'Unión deshecha.': 'União desfeita.', 'Reabrir': 'Reabrir', 'Marca reabierta.': 'Marca reaberta.', 'Duplicado reabierto': 'Duplicado reaberto', 'Marcado como no duplicado.': 'Marcado como não duplicado.',
  'Abiertos': 'Abertos', 'Unidos': 'Unidos', 'Sin posibles duplicados.': 'Sem possíveis duplicados.', 'ficha': 'ficha', 'Ficha': 'Ficha', 'Cliente reasignado a': 'Cliente reatribuído a',
  'Elige el nuevo responsable.': 'Escolha o novo responsável.', 'Escribe el motivo de la reasignación.': 'Escreva o motivo da reatribuição.', 'Elige el tipo de contacto.': 'Escolha o tipo de contato.',
  'Elige la expectativa del cliente.': 'Escolha a expectativa do cliente.', 'Escribe un comentario: es obligatorio para abortar.': 'Escreva um comentário: é obrigatório para abortar.',
  'Elige el motivo de descarte.': 'Escolha o motivo do descarte.', 'Escribe un comentario: es obligatorio para descartar.': 'Escreva um comentário: é obrigatório para descartar.',
  'Persona': 'Pessoa', 'correo de la persona': 'e-mail da pessoa', 'Filtrar': 'Filtrar', 'Sobre': 'Sobre', 'Detalle': 'Detalhe', 'Sin registros para estos filtros.': 'Nenhum registro para estes filtros.',
  'Leyendo el correo…': 'Lendo o e-mail…', 'nombre y apellido': 'nome e sobrenome', 'remitente': 'remetente', 'asunto': 'assunto', 'cuerpo': 'corpo', 'cabecera': 'cabeçalho', 'Genérico (ningún portal coincidió)': 'Genérico (nenhum portal coincidiu)', 'Campo': 'Campo', 'Encontrado en': 'Encontrado em', 'Texto del correo': 'Texto do e-mail',
  'Valor': 'Valor', 'Problemas': 'Problemas', 'no encontrado': 'não encontrado', 'ninguno': 'nenhum', 'regla del portal': 'regra do portal', 'etiqueta genérica': 'rótulo genérico', 'texto libre': 'texto livre',
  'Reasignado': 'Reatribuído', 'Reasignado por inactividad': 'Reatribuído por inatividade', 'Traspasado (vendedor retirado)': 'Transferido (vendedor desligado)', 'Asignado': 'Atribuído',
  'Lead no encontrado o fuera de su alcance': 'Lead não encontrado ou fora do seu alcance',
});

let lang = 'es';
export const setLang = (l) => { lang = l === 'pt' ? 'pt' : 'es'; };
/** A text in the company's language. */
export const t = (s) => (lang === 'pt' && typeof s === 'string' ? PT[s.trim()] ?? s : s);

/** Translates the static page once: every text node, placeholder and aria-label with a known text. */
export function translatePage(root = document.body) {
  if (lang !== 'pt') return;
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const text = n.nodeValue.trim();
    if (text && PT[text]) n.nodeValue = n.nodeValue.replace(text, PT[text]);
  }
  for (const el of root.querySelectorAll('[placeholder],[aria-label]')) {
    for (const a of ['placeholder', 'aria-label']) if (el.hasAttribute(a) && PT[el.getAttribute(a)]) el.setAttribute(a, PT[el.getAttribute(a)]);
  }
}

// Enseñar parser (admins).
Object.assign(PT, {
  'Enseñar parser': 'Ensinar parser', 'Enseñar un parser': 'Ensinar um parser', '1. Correos de ejemplo': '1. E-mails de exemplo',
  'Elige de 1 a 3 correos del mismo portal: los que no se leyeron bien o por su número de correo.': 'Escolha de 1 a 3 e-mails do mesmo portal: os que não foram lidos bem ou pelo número do e-mail.',
  'Correos sin leer': 'E-mails não lidos', 'Correos que no se convirtieron en leads': 'E-mails que não viraram leads', 'Número de correo': 'Número do e-mail', 'Agregar': 'Adicionar',
  'Leer correos': 'Ler e-mails', 'Elegir': 'Escolher', 'Elegir el correo': 'Escolher o e-mail', 'Motivo': 'Motivo', 'Ignorado': 'Ignorado', 'Error': 'Erro', 'Tiempo agotado': 'Tempo esgotado',
  'Demasiado grande': 'Grande demais', 'No hay correos sin leer.': 'Não há e-mails não lidos.', 'Elegidos': 'Escolhidos', 'a lo más 3': 'no máximo 3', 'Ningún correo elegido.': 'Nenhum e-mail escolhido.',
  'Escribe el número de un correo guardado.': 'Escreva o número de um e-mail guardado.', 'Elige de 1 a 3 correos.': 'Escolha de 1 a 3 e-mails.',
  '2. Lo leído y los campos confirmados': '2. O que foi lido e os campos confirmados', 'Remitente': 'Remetente', 'Asunto': 'Assunto',
  'Confirma o corrige cada campo tal como aparece en el primer correo; deja vacío lo que el correo no trae.': 'Confirme ou corrija cada campo como aparece no primeiro e-mail; deixe vazio o que o e-mail não traz.',
  'Id del parser (letras minúsculas, dígitos y guiones)': 'Id do parser (letras minúsculas, dígitos e hífens)', 'Nombre del portal': 'Nome do portal', 'Vista previa': 'Pré-visualização',
  'Escribe el id del parser: letras minúsculas, dígitos y guiones.': 'Escreva o id do parser: letras minúsculas, dígitos e hífens.', 'Probando el parser en los correos guardados…': 'Testando o parser nos e-mails guardados…',
  '3. Vista previa': '3. Pré-visualização', 'correo guardado usaría este parser': 'e-mail guardado usaria este parser', 'correos guardados usarían este parser': 'e-mails guardados usariam este parser',
  'de': 'de', 'cambian': 'mudam', 'empeoran': 'pioram', 'sin cambios de calidad': 'sem mudanças de qualidade', 'Cambios en correos guardados': 'Mudanças em e-mails guardados',
  'Antes': 'Antes', 'Después': 'Depois', 'Regla rechazada para': 'Regra recusada para', 'ninguna regla lo lee en todos los ejemplos; lo buscará la extracción genérica': 'nenhuma regra o lê em todos os exemplos; a extração genérica o procurará',
  'confirmado': 'confirmado', 'el parser lee': 'o parser lê', 'Otro parser más específico sigue tomando estos correos.': 'Outro parser mais específico continua pegando estes e-mails.',
  'Archivo del parser': 'Arquivo do parser', 'Ya existe un parser': 'Já existe um parser', 'estas son las diferencias': 'estas são as diferenças', 'Diferencias con el parser actual': 'Diferenças com o parser atual',
  'Revisé las diferencias: reemplazar el parser actual': 'Revisei as diferenças: substituir o parser atual', 'Guardar parser': 'Salvar parser',
  'Revisa las diferencias y marca la confirmación para reemplazar el parser.': 'Revise as diferenças e marque a confirmação para substituir o parser.', 'Parser guardado y en uso': 'Parser salvo e em uso',
  'Enseñar un parser con este correo': 'Ensinar um parser com este e-mail', 'Campos leídos del correo': 'Campos lidos do e-mail',
});
